package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Telegram sends a message's body to a chat (the recipient: a chat id)
// through the Bot API's sendMessage, as MarkdownV2. The token is a secret:
// it is part of the API's URL, so every error hides it.
type Telegram struct {
	Token   string
	APIBase string // default https://api.telegram.org
	Timeout time.Duration
}

// Send posts m.Body to chat m.Recipient.
func (tg Telegram) Send(ctx context.Context, m Message, _ string) error {
	base := tg.APIBase
	if base == "" {
		base = "https://api.telegram.org"
	}
	payload, err := json.Marshal(map[string]any{"chat_id": m.Recipient, "text": m.Body, "parse_mode": "MarkdownV2"})
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/bot"+tg.Token+"/sendMessage", bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("telegram: %s", redact(err.Error(), tg.Token))
	}
	req.Header.Set("Content-Type", "application/json")
	return post(req, tg.Timeout, "telegram", tg.Token)
}

// markdownV2 are the characters MarkdownV2 needs escaped in plain text.
const markdownV2 = "_*[]()~`>#+-=|{}.!\\"

// EscapeMarkdown makes text safe to put in a MarkdownV2 message as is.
func EscapeMarkdown(text string) string {
	var b strings.Builder
	for _, r := range text {
		if strings.ContainsRune(markdownV2, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// redact hides secret in s.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}
