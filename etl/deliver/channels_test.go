package deliver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"etlrunner/etl/project"
)

// env renders a setting the way etl.yml's env_var() would, from a map.
func env(vars map[string]string) func(string) (string, error) {
	return func(text string) (string, error) {
		if name, ok := strings.CutPrefix(text, "$"); ok {
			return vars[name], nil
		}
		return text, nil
	}
}

func TestConfigure(t *testing.T) {
	vars := map[string]string{"HOST": "smtp.example.com", "PASS": "pw-123", "CHATS": " -1001, -1002 ,", "TOKEN": "42:tok"}
	cases := []struct {
		ch      project.Channel
		missing string
		check   func(Channel) error
	}{
		{project.Channel{Name: "email", Type: project.Email, Host: "$HOST", Password: "$PASS", From: "a@example.com", To: project.StringList{"x@example.com, y@example.com"}}, "",
			func(c Channel) error {
				s := c.Sender.(SMTP)
				if s.Port != 587 || s.Host != "smtp.example.com" || strings.Join(c.To, "|") != "x@example.com|y@example.com" || c.Secrets[0] != "pw-123" {
					return fmt.Errorf("%+v", c)
				}
				return nil
			}},
		{project.Channel{Name: "email", Type: project.Email, Host: "$HOST", TLS: "tls", From: "a@example.com"}, "",
			func(c Channel) error {
				if c.Sender.(SMTP).Port != 465 {
					return fmt.Errorf("implicit TLS port %d", c.Sender.(SMTP).Port)
				}
				return nil
			}},
		{project.Channel{Name: "email", Type: project.Email, Host: "$UNSET"}, "host and from not set", nil},
		{project.Channel{Name: "hook", Type: project.Webhook, URL: "$UNSET"}, "url not set", nil},
		{project.Channel{Name: "tg", Type: project.Telegram, Token: "$TOKEN", ChatIDs: project.StringList{"$CHATS"}}, "",
			func(c Channel) error {
				if strings.Join(c.To, "|") != "-1001|-1002" || c.Secrets[0] != "42:tok" {
					return fmt.Errorf("%+v", c)
				}
				return nil
			}},
	}
	for i, tc := range cases {
		c, err := Configure(&tc.ch, env(vars), time.Second)
		if err != nil || c.Missing != tc.missing || c.Configured() != (tc.missing == "") {
			t.Errorf("case %d: %+v %v", i, c, err)
			continue
		}
		if tc.check != nil {
			if err := tc.check(c); err != nil {
				t.Errorf("case %d: %v", i, err)
			}
		}
	}
	for _, bad := range []project.Channel{
		{Name: "email", Type: project.Email, Host: "h", From: "f", Port: "smtp"},
		{Name: "email", Type: project.Email, Host: "h", From: "f", Port: "70000"},
		{Name: "email", Type: project.Email, Host: "h", From: "f", TLS: "ssl", Password: "$PASS"},
	} {
		if _, err := Configure(&bad, env(vars), time.Second); err == nil || strings.Contains(err.Error(), "pw-123") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestEscapeSlack(t *testing.T) {
	if got := EscapeSlack("<!channel> a&b <https://x|y>"); got != "&lt;!channel&gt; a&amp;b &lt;https://x|y&gt;" {
		t.Errorf("got %q", got)
	}
}
