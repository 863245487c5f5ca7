package deliver

import (
	"context"
	"fmt"
	"time"

	mail "github.com/wneessen/go-mail"
)

// SMTP sends e-mail through one server. Password comes from the
// environment (env_var in etl.yml) and never appears in an error.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // "starttls" (the default: required), "tls" (implicit, port 465) or "none" (a local relay)
	Username string
	Password string
	From     string
	Timeout  time.Duration
}

// Send sends m as a plain-text e-mail whose Message-ID is derived from the
// outbox id, so a mail system that sees it twice can tell.
func (s SMTP) Send(ctx context.Context, m Message, id string) error {
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("from address %q: %w", s.From, err)
	}
	if err := msg.To(m.Recipient); err != nil {
		return fmt.Errorf("recipient %q: %w", m.Recipient, err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	msg.SetMessageIDWithValue(id + "@etl")
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTimeout(timeout)}
	switch s.TLS {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return fmt.Errorf("smtp tls must be starttls, tls or none, got %q", s.TLS)
	}
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp %s:%d: %w", s.Host, s.Port, err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", s.Host, s.Port, err)
	}
	return nil
}
