package deliver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Webhook posts a message's body, a JSON document, to one URL (Slack,
// Discord or a service of one's own). With a secret, every request carries
// X-Etl-Signature: sha256=HMAC-SHA256(secret, timestamp + "." + body) and
// the X-Etl-Timestamp it covers, so the receiver can check where it came
// from and refuse replays; Idempotency-Key is the outbox id.
type Webhook struct {
	URL     string
	Secret  string
	Timeout time.Duration
	Now     func() time.Time // for tests; default time.Now
}

// WebhookPayload is a Slack-compatible body: text, plus the row's fields
// for receivers that read them.
func WebhookPayload(text string, fields any) (string, error) {
	data, err := json.Marshal(map[string]any{"text": text, "fields": fields})
	return string(data), err
}

// Sign is the signature of body sent at timestamp ts.
func Sign(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send posts m.Body; any answer but 2xx is an error naming the status.
func (w Webhook) Send(ctx context.Context, m Message, id string) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewBufferString(m.Body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", id)
	if w.Secret != "" {
		ts := strconv.FormatInt(now().Unix(), 10)
		req.Header.Set("X-Etl-Timestamp", ts)
		req.Header.Set("X-Etl-Signature", Sign(w.Secret, ts, m.Body))
	}
	// A webhook URL (Slack's, Discord's) is itself a secret: errors hide it.
	return post(req, w.Timeout, "webhook", w.URL)
}

// post sends req and reads its answer; secret, if any, is hidden from the
// error (a URL may hold a token).
func post(req *http.Request, timeout time.Duration, what, secret string) error {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s", what, redact(err.Error(), secret))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: HTTP %d: %s", what, resp.StatusCode, redact(string(bytes.TrimSpace(body)), secret))
	}
	return nil
}
