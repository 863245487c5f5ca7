// Package delivertest runs the receivers of deliveries on 127.0.0.1 for
// tests: a real SMTP server, a webhook receiver that checks signatures as a
// real one would, and a Telegram Bot API that parses MarkdownV2 as
// Telegram does and refuses what it cannot.
package delivertest

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"etlrunner/etl/deliver"
)

// Received is one message a receiver accepted.
type Received struct {
	To   string         // e-mail recipient, Telegram chat id, or "" for a webhook
	Data string         // the raw e-mail, or the posted text
	Doc  map[string]any // the webhook's JSON document
	Key  string         // Message-ID or Idempotency-Key
}

// Hook, when set on a receiver, runs after a message is recorded and
// before the sender hears back: a test can kill the sender there.
type Hook func(Received)

type box struct {
	mu   sync.Mutex
	got  []Received
	hook Hook
	// Fail, when set, answers every message with this error instead.
	fail string
}

func (b *box) keep(r Received) {
	b.mu.Lock()
	b.got = append(b.got, r)
	hook := b.hook
	b.mu.Unlock()
	if hook != nil {
		hook(r)
	}
}

// Received returns what the receiver accepted so far.
func (b *box) Received() []Received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Received(nil), b.got...)
}

// OnReceive sets the hook.
func (b *box) OnReceive(h Hook) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hook = h
}

// Fail makes the receiver refuse every message with why ("" accepts again).
func (b *box) Fail(why string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = why
}

func (b *box) failing() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fail
}

// Mail is an SMTP server.
type Mail struct {
	box
	Port int
	// Password, when set, is the only one AUTH accepts.
	Password string
}

// StartMail starts an SMTP server that accepts plain connections (TLS none)
// with any or no authentication.
func StartMail(t testing.TB) *Mail {
	t.Helper()
	m := &Mail{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: m}, nil }))
	s.Domain, s.AllowInsecureAuth = "localhost", true
	s.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { s.Close() })
	return m
}

type session struct {
	srv *Mail
	to  []string
}

func (s *session) Reset()                               { s.to = nil }
func (s *session) Logout() error                        { return nil }
func (s *session) AuthPlain(string, string) error       { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

// AuthMechanisms offers PLAIN; with a Password set on the server, only
// that password is let in.
func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, _, password string) error {
		if s.srv.Password != "" && password != s.srv.Password {
			return &smtp.SMTPError{Code: 535, Message: "authentication failed"}
		}
		return nil
	}), nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if why := s.srv.failing(); why != "" {
		return &smtp.SMTPError{Code: 550, Message: why}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	id := ""
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Message-Id: "); ok {
			id = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "Message-ID: "); ok {
			id = strings.TrimSpace(v)
		}
	}
	for _, to := range s.to {
		s.srv.keep(Received{To: to, Data: string(data), Key: id})
	}
	return nil
}

// Webhook is a receiver that refuses requests without a valid signature.
type Webhook struct {
	box
	URL string
}

// StartWebhook starts a receiver checking X-Etl-Signature with secret.
func StartWebhook(t testing.TB, secret string) *Webhook {
	t.Helper()
	w := &Webhook{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if deliver.Sign(secret, r.Header.Get("X-Etl-Timestamp"), string(body)) != r.Header.Get("X-Etl-Signature") {
			http.Error(rw, "bad signature", http.StatusUnauthorized)
			return
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil || r.Header.Get("Idempotency-Key") == "" {
			http.Error(rw, "bad request", http.StatusBadRequest)
			return
		}
		if why := w.failing(); why != "" {
			http.Error(rw, why, http.StatusServiceUnavailable)
			return
		}
		text, _ := doc["text"].(string)
		w.keep(Received{Data: text, Doc: doc, Key: r.Header.Get("Idempotency-Key")})
	}))
	t.Cleanup(srv.Close)
	w.URL = srv.URL + "/hooks/etl"
	return w
}

// Telegram is a Bot API answering sendMessage for one bot token.
type Telegram struct {
	box
	URL string // the API base
}

// StartTelegram starts a Bot API that knows token and parses every text as
// MarkdownV2, refusing it as Telegram does when it cannot.
func StartTelegram(t testing.TB, token string) *Telegram {
	t.Helper()
	tg := &Telegram{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bot"+token+"/sendMessage" {
			http.Error(rw, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		var req struct {
			ChatID    string `json:"chat_id"`
			Text      string `json:"text"`
			ParseMode string `json:"parse_mode"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ChatID == "" {
			http.Error(rw, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, http.StatusBadRequest)
			return
		}
		if req.ParseMode == "MarkdownV2" {
			if err := CheckMarkdownV2(req.Text); err != nil {
				http.Error(rw, fmt.Sprintf(`{"ok":false,"error_code":400,"description":"Bad Request: %s"}`, err), http.StatusBadRequest)
				return
			}
		}
		if why := tg.failing(); why != "" {
			http.Error(rw, `{"ok":false,"error_code":502,"description":"`+why+`"}`, http.StatusBadGateway)
			return
		}
		tg.keep(Received{To: req.ChatID, Data: req.Text})
		_, _ = io.WriteString(rw, `{"ok":true,"result":{"message_id":1}}`)
	}))
	t.Cleanup(srv.Close)
	tg.URL = srv.URL
	return tg
}

// CheckMarkdownV2 parses text as Telegram's MarkdownV2: every reserved
// character outside the markup must be escaped, and bold, italic, strike
// and code spans must close.
func CheckMarkdownV2(text string) error {
	open := map[rune]bool{}
	names := map[rune]string{'*': "Bold", '_': "Italic", '~': "Strikethrough", '`': "Code"}
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\':
			if i+1 >= len(rs) {
				return fmt.Errorf("can't parse entities: text ends with a backslash")
			}
			i++
		case names[c] != "":
			open[c] = !open[c]
		case strings.ContainsRune("[]()>#+-=|{}.!", c):
			return fmt.Errorf("can't parse entities: Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		}
	}
	for c, name := range names {
		if open[c] {
			return fmt.Errorf("can't parse entities: Can't find end of %s entity", name)
		}
	}
	return nil
}

// Secrets are what the test channels are configured with.
type Secrets struct {
	SMTPPassword, WebhookSecret, WebhookPath, TelegramToken, TelegramChat string
}

// Receivers are one receiver per channel of the project's etl.yml.
type Receivers struct {
	Mail     *Mail
	Webhook  *Webhook
	Telegram *Telegram
}

// StartAll starts the three receivers and sets the environment the
// project's etl.yml reads its channels from (ETL_SMTP_*, ETL_WEBHOOK_*,
// ETL_TELEGRAM_*), so that a build, in process or started afterwards,
// sends to them. t.Setenv: the test cannot run in parallel.
func StartAll(t *testing.T, s Secrets) *Receivers {
	t.Helper()
	r := &Receivers{Mail: StartMail(t), Webhook: StartWebhook(t, s.WebhookSecret), Telegram: StartTelegram(t, s.TelegramToken)}
	r.Mail.Password = s.SMTPPassword
	user := ""
	if s.SMTPPassword != "" {
		user = "etl"
	}
	for k, v := range map[string]string{
		"ETL_SMTP_HOST": "127.0.0.1", "ETL_SMTP_PORT": fmt.Sprint(r.Mail.Port), "ETL_SMTP_TLS": "none",
		"ETL_SMTP_USERNAME": user, "ETL_SMTP_PASSWORD": s.SMTPPassword, "ETL_SMTP_FROM": "alerts@etl.example",
		"ETL_WEBHOOK_URL": r.Webhook.URL + "/" + s.WebhookPath, "ETL_WEBHOOK_SECRET": s.WebhookSecret,
		"ETL_TELEGRAM_TOKEN": s.TelegramToken, "ETL_TELEGRAM_API_BASE": r.Telegram.URL, "ETL_TELEGRAM_CHAT_IDS": s.TelegramChat,
	} {
		t.Setenv(k, v)
	}
	return r
}

// Counts are the messages each receiver got: e-mail, webhook, Telegram.
func (r *Receivers) Counts() [3]int {
	return [3]int{len(r.Mail.Received()), len(r.Webhook.Received()), len(r.Telegram.Received())}
}
