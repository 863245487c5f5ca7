package plan

import (
	"context"
	"strings"
	"testing"
)

const deliveryChannels = "name: demo\nvars:\n  who: ops\ndeliveries:\n  channels:\n    telegram:\n      token: t\n    email:\n      host: h\n      from: f\n"

// A delivery takes the model's unique_key (set by config() too) when it
// names none; a template error is reported at its line in the YAML file.
func TestCompileDeliveries(t *testing.T) {
	pl := mustCompile(t, map[string]string{
		"etl.yml":           deliveryChannels,
		"models/gold/a.sql": "{{ config(unique_key=['id']) }} select 1 as id",
		"models/gold/b.sql": "select 1 as n",
		"models/gold/g.yml": "models:\n  - name: a\n    deliveries:\n      - channel: email\n        body: x\n" +
			"on_run_end:\n  - name: d\n    channel: telegram\n    models: [a, b]\n    body: y\n",
	})
	if len(pl.Deliveries) != 2 {
		t.Fatalf("deliveries %+v", pl.Deliveries)
	}
	a, d := pl.Deliveries[0], pl.Deliveries[1]
	if a.ID != "delivery.demo.a.email" || strings.Join(a.Key, ",") != "id" || len(a.Models) != 1 || a.Models[0].Name != "a" {
		t.Errorf("model delivery %+v", a)
	}
	if d.ID != "delivery.demo.d.telegram" || len(d.Models) != 2 || d.Models[1].Name != "b" {
		t.Errorf("on_run_end %+v", d)
	}
	got, err := pl.RenderMessage(context.Background(), "g.yml", 5, "*{{ who }}* {{ var('who') }}: {{ n }} {{ n | safe }}",
		map[string]any{"who": "a.b", "n": "1-2"}, escapeDotDash)
	if err != nil || got != `*a\.b* ops: 1\-2 1-2` {
		t.Errorf("rendered %q, %v", got, err)
	}
	_, err = pl.RenderMessage(context.Background(), "g.yml", 5, "line one\n{{ 1 + }}", nil, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "g.yml:6") {
		t.Errorf("render error %v, want it at g.yml:6", err)
	}
}

func TestCompileDeliveryErrors(t *testing.T) {
	cases := []struct {
		name, yml, want string
	}{
		{"syntax error in a block body", "models:\n  - name: b\n    deliveries:\n      - channel: email\n        key: n\n        body: |\n          ok\n          {% if %}\n",
			"models/gold/g.yml:8"},
		{"syntax error in a subject", "models:\n  - name: b\n    deliveries:\n      - channel: email\n        key: n\n        subject: \"{{ x\"\n        body: b\n",
			"models/gold/g.yml:6"},
		{"no key", "models:\n  - name: b\n    deliveries:\n      - channel: email\n        body: b\n",
			"models/gold/g.yml:4: model b: delivery email: key names the columns that say which row a message is about (the model has no unique_key)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compile(t, map[string]string{"etl.yml": deliveryChannels, "models/gold/b.sql": "select 1 as n", "models/gold/g.yml": tc.yml})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// escapeDotDash stands in for a channel's escaping.
func escapeDotDash(s string) string { return strings.NewReplacer(".", `\.`, "-", `\-`).Replace(s) }
