package deliver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	. "etlrunner/etl/deliver"
)

// A webhook receiver that checks the signature as a real one would: the
// fraud alert arrives once, as Slack-compatible JSON with its fields.
func TestWebhookSigned(t *testing.T) {
	const secret = "s3cret-signing-key"
	var mu sync.Mutex
	var got []map[string]any
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if Sign(secret, r.Header.Get("X-Etl-Timestamp"), string(body)) != r.Header.Get("X-Etl-Signature") {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil || r.Header.Get("Idempotency-Key") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, "busy", status)
			return
		}
		got = append(got, doc)
	}))
	defer srv.Close()
	ctx := context.Background()
	db := outboxDB(t)
	body, err := WebhookPayload("Suspected fraud: order O-17 (high_value_order)", map[string]any{"order_id": "O-17", "total_price": 12500000})
	if err != nil {
		t.Fatal(err)
	}
	m := Message{Model: "order_fraud_alerts", Key: "O-17|high_value_order", Channel: "webhook", Recipient: srv.URL, Body: body}
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	if _, err := Enqueue(ctx, db, "r1", now, []Message{m}); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	senders := map[string]Sender{"webhook": Webhook{URL: srv.URL, Secret: secret, Now: clock}}

	status = http.StatusServiceUnavailable
	rep, err := Deliver(ctx, db, senders, Options{Now: clock})
	if err != nil || rep.Retrying != 1 || !strings.Contains(rep.Errors[0], "HTTP 503") {
		t.Fatalf("a busy receiver: %+v %v", rep, err)
	}
	status = http.StatusOK
	later := now.Add(time.Hour)
	if rep, err := Deliver(ctx, db, senders, Options{Now: func() time.Time { return later }}); err != nil || rep.Sent != 1 {
		t.Fatalf("retry: %+v %v", rep, err)
	}
	if len(got) != 1 || got[0]["text"] != "Suspected fraud: order O-17 (high_value_order)" || got[0]["fields"].(map[string]any)["order_id"] != "O-17" {
		t.Fatalf("received %v", got)
	}
	down := Webhook{URL: "http://127.0.0.1:1/services/T0/B0/hook-token"}
	if err := down.Send(ctx, m, m.ID()); err == nil || strings.Contains(err.Error(), "hook-token") {
		t.Fatalf("an unreachable receiver: %v", err)
	}
	wrong := Webhook{URL: srv.URL, Secret: "another key", Now: clock}
	if err := wrong.Send(ctx, m, m.ID()); err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "another key") {
		t.Fatalf("a wrong signature: %v", err)
	}
}

// The statistics digest goes to the Bot API's sendMessage as MarkdownV2;
// the bot token, part of the URL, never shows in an error.
func TestTelegram(t *testing.T) {
	const token = "123456:ABC-secret-token"
	var got map[string]any
	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bot"+token+"/sendMessage" || fail {
			http.Error(w, `{"ok":false,"description":"Unauthorized for `+token+`"}`, http.StatusUnauthorized)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		_, _ = io.WriteString(w, `{"ok":true,"result":{}}`)
	}))
	defer srv.Close()
	text := "*Spending 2023*\n" + EscapeMarkdown("Total: 1.234.567,89 (18-24: 2509.74)")
	tg := Telegram{Token: token, APIBase: srv.URL}
	if err := tg.Send(context.Background(), Message{Recipient: "-100777", Body: text}, "id"); err != nil {
		t.Fatal(err)
	}
	if got["chat_id"] != "-100777" || got["parse_mode"] != "MarkdownV2" || got["text"] != `*Spending 2023*
Total: 1\.234\.567,89 \(18\-24: 2509\.74\)` {
		t.Fatalf("sent %v", got)
	}
	fail = true
	err := tg.Send(context.Background(), Message{Recipient: "-100777", Body: "x"}, "id")
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("error %v", err)
	}
	down := Telegram{Token: token, APIBase: "http://127.0.0.1:1"}
	if err := down.Send(context.Background(), Message{Recipient: "1", Body: "x"}, "id"); err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("an unreachable API: %v", err)
	}
}
