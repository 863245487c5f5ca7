package deliver

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"etlrunner/etl/project"
)

// Channel is a channel of etl.yml with its settings rendered: the sender
// that uses them and the recipients messages go to by default. A channel
// whose required settings are empty is not configured (Missing says
// which); its deliveries queue nothing.
type Channel struct {
	Name, Type string
	Sender     Sender
	To         []string // default recipients: e-mail addresses or Telegram chat ids
	Missing    string
	// Secrets are the rendered values that must never be printed.
	Secrets []string
}

// Configured reports whether messages can be sent through the channel.
func (c Channel) Configured() bool { return c.Missing == "" }

// Configure renders a channel's settings with render (env_var() brings in
// secrets) and builds its sender; timeout bounds one send.
func Configure(c *project.Channel, render func(string) (string, error), timeout time.Duration) (Channel, error) {
	out := Channel{Name: c.Name, Type: c.Type}
	var err error
	get := func(text string) string {
		if err != nil || text == "" {
			return ""
		}
		var v string
		v, err = render(text)
		return strings.TrimSpace(v)
	}
	list := func(texts []string) []string {
		var vals []string
		for _, t := range texts {
			for _, v := range strings.Split(get(t), ",") {
				if v = strings.TrimSpace(v); v != "" {
					vals = append(vals, v)
				}
			}
		}
		return vals
	}
	switch c.Type {
	case project.Email:
		s := SMTP{Host: get(c.Host), TLS: get(c.TLS), Username: get(c.Username), Password: get(c.Password), From: get(c.From), Timeout: timeout}
		out.To, out.Secrets = list(c.To), []string{s.Password}
		port := get(c.Port)
		switch {
		case port != "":
			if s.Port, err = strconv.Atoi(port); err != nil || s.Port <= 0 || s.Port > 65535 {
				return out, fmt.Errorf("channel %s: port %q is not a port number", c.Name, port)
			}
		case s.TLS == "tls":
			s.Port = 465
		default:
			s.Port = 587
		}
		switch s.TLS {
		case "", "starttls", "tls", "none":
		default:
			err = fmt.Errorf("tls must be starttls, tls or none, got %q", s.TLS)
		}
		out.Sender = s
		out.Missing = missing(map[string]string{"host": s.Host, "from": s.From})
	case project.Webhook:
		w := Webhook{URL: get(c.URL), Secret: get(c.Secret), Timeout: timeout}
		out.Sender, out.Secrets, out.To = w, []string{w.URL, w.Secret}, []string{c.Name}
		out.Missing = missing(map[string]string{"url": w.URL})
	case project.Telegram:
		t := Telegram{Token: get(c.Token), APIBase: get(c.APIBase), Timeout: timeout}
		out.Sender, out.Secrets, out.To = t, []string{t.Token}, list(c.ChatIDs)
		out.Missing = missing(map[string]string{"token": t.Token})
	}
	if err != nil {
		return out, fmt.Errorf("channel %s: %s", c.Name, redactAll(err.Error(), out.Secrets))
	}
	return out, nil
}

// missing names the empty ones of the required settings.
func missing(required map[string]string) string {
	var names []string
	for _, k := range []string{"host", "from", "url", "token"} {
		if v, ok := required[k]; ok && v == "" {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return strings.Join(names, " and ") + " not set"
}

// redactAll hides every secret in s.
func redactAll(s string, secrets []string) string {
	for _, sec := range secrets {
		s = redact(s, sec)
	}
	return s
}
