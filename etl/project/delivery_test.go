package project

import (
	"strings"
	"testing"
)

const channels = minimal + `deliveries:
  backoff: 2m
  channels:
    email:
      host: "{{ env_var('SMTP_HOST', '') }}"
      from: etl@example.com
      to: ops@example.com
    hooks:
      type: webhook
      url: "{{ env_var('HOOK_URL', '') }}"
    telegram:
      token: t
  on_run_failure:
    channel: telegram
`

func TestDeliveries(t *testing.T) {
	p, err := Load(fsWith(map[string]string{
		"etl.yml":           channels,
		"models/gold/a.sql": "select 1 as id, 'x@example.com' as email",
		"models/gold/b.sql": "select 1 as n",
		"models/gold/gold.yml": "models:\n  - name: a\n    deliveries:\n      - channel: email\n        key: id\n        to: {column: email, fallback: ops@example.com}\n        subject: \"Row {{ id }}\"\n        body: |\n          Hello\n          {{ id }}\n      - channel: hooks\n        per: run\n        body: \"{{ rows | length }} rows\"\n" +
			"on_run_end:\n  - name: digest\n    channel: telegram\n    models: [a, b]\n    body: x\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	a := p.Model("a")
	if len(a.Deliveries) != 2 {
		t.Fatalf("deliveries %+v", a.Deliveries)
	}
	mail, hook := a.Deliveries[0], a.Deliveries[1]
	if mail.Per != PerRow || mail.To.Column != "email" || mail.To.Fallback != "ops@example.com" || mail.Key[0] != "id" ||
		mail.Line != 4 || mail.SubjectAt != 7 || mail.BodyAt != 9 || mail.Outbox() != "a" {
		t.Errorf("e-mail delivery %+v", mail)
	}
	if hook.Per != PerRun || hook.Channel != "hooks" || p.Delivery.Channels["hooks"].Type != Webhook {
		t.Errorf("webhook delivery %+v", hook)
	}
	if len(p.OnRunEnd) != 1 || p.OnRunEnd[0].Outbox() != "digest" || p.OnRunEnd[0].Per != PerRun || len(p.OnRunEnd[0].Models) != 2 {
		t.Errorf("on_run_end %+v", p.OnRunEnd)
	}
	if p.Delivery.BackoffDuration().Minutes() != 2 || p.Delivery.TimeoutDuration().Seconds() != 30 || p.Delivery.OnRunFailure.Channel != "telegram" {
		t.Errorf("settings %+v", p.Delivery)
	}
	if c := p.Delivery.Channels["email"]; c.Host != "{{ env_var('SMTP_HOST', '') }}" || c.To[0] != "ops@example.com" {
		t.Errorf("settings are kept as templates, rendered when used: %+v", c)
	}
}

func TestDeliveryErrors(t *testing.T) {
	model := func(delivery string) map[string]string {
		return map[string]string{
			"etl.yml":              channels,
			"models/gold/a.sql":    "select 1 as id",
			"models/gold/gold.yml": "models:\n  - name: a\n    deliveries:\n      - " + strings.ReplaceAll(delivery, "\n", "\n        ") + "\n",
		}
	}
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"unknown channel", model("channel: sms\nbody: x"), `models/gold/gold.yml:4: model a: delivery sms: channel "sms" is not declared in etl.yml under deliveries.channels`},
		{"no body", model("channel: email\nkey: id"), "gold.yml:4: model a: delivery email: a delivery needs a body"},
		{"subject on telegram", model("channel: telegram\nkey: id\nsubject: s\nbody: b"), "a telegram message is its body"},
		{"recipients of a webhook", model("channel: hooks\nkey: id\nto: [a]\nbody: b"), "a webhook's recipient is its URL"},
		{"column on a digest", model("channel: email\nper: run\nto: {column: email}\nbody: b"), "needs per: row"},
		{"fallback without column", model("channel: email\nkey: id\nto: {fallback: x}\nbody: b"), "give the column"},
		{"bad per", model("channel: email\nper: hour\nbody: b"), "per must be row or run"},
		{"unknown key", model("channel: email\nbody: b\ncc: x"), `gold.yml:6:9: unknown key "cc"`},
		{"two on one channel", map[string]string{"etl.yml": channels, "models/gold/a.sql": "select 1 as id",
			"models/gold/gold.yml": "models:\n  - name: a\n    deliveries:\n      - {channel: email, key: id, body: b}\n      - {channel: email, key: id, body: c}\n"},
			"gold.yml:5:9: model a already has a delivery on channel email (line 4)"},
		{"name on a model", model("channel: email\nname: x\nbody: b"), "name and models are for on_run_end deliveries"},
		{"channel type", map[string]string{"etl.yml": strings.Replace(channels, "    telegram:\n", "    xs:\n      type: sms\n    telegram:\n", 1), "models/gold/a.sql": "select 1"},
			`etl.yml:12:5: channel xs: type must be email, webhook or telegram, got "sms"`},
		{"unknown setting", map[string]string{"etl.yml": channels + "  retries: 3\n", "models/gold/a.sql": "select 1"}, `etl.yml:16:3: unknown key "retries"`},
		{"setting of another type", map[string]string{"etl.yml": strings.Replace(channels, "      token: t\n", "      token: t\n      host: h\n", 1), "models/gold/a.sql": "select 1"},
			"etl.yml:14:7: channel telegram: host is not a setting of a telegram channel (it takes token, api_base, chat_ids)"},
		{"bad type", map[string]string{"etl.yml": strings.Replace(channels, "type: webhook", "type: pager", 1), "models/gold/a.sql": "select 1"}, "etl.yml:9:5: channel hooks: type must be email, webhook or telegram"},
		{"bad backoff", map[string]string{"etl.yml": strings.Replace(channels, "backoff: 2m", "backoff: soon", 1), "models/gold/a.sql": "select 1"}, `backoff "soon" is not a duration`},
		{"on_run_end without models", map[string]string{"etl.yml": channels, "models/gold/a.sql": "select 1", "models/gold/g.yml": "on_run_end:\n  - name: d\n    channel: email\n    body: b\n"}, "g.yml:2:5: on_run_end d: models lists the models"},
		{"on_run_end unknown model", map[string]string{"etl.yml": channels, "models/gold/a.sql": "select 1", "models/gold/g.yml": "on_run_end:\n  - name: d\n    channel: email\n    models: [zz]\n    body: b\n"}, `g.yml:2: on_run_end d: model "zz" does not exist`},
		{"on_run_failure channel", map[string]string{"etl.yml": strings.Replace(channels, "    channel: telegram\n", "    channel: pager\n", 1), "models/gold/a.sql": "select 1"}, `etl.yml:15: on_run_failure: channel "pager" is not declared`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(fsWith(tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
