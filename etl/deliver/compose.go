package deliver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// Compose renders the messages of delivery d through channel ch from the
// rows its models hold now. Per row, only rows whose key is not in the
// outbox yet, unless all; a digest, once per distinct content of its
// models (none when they are all empty).
func Compose(ctx context.Context, q warehouse.Querier, pl *plan.Plan, d *plan.Delivery, ch Channel, all bool) ([]Message, error) {
	if d.Per == project.PerRow {
		return composeRows(ctx, q, pl, d, ch, all)
	}
	return composeDigest(ctx, q, pl, d, ch)
}

func composeRows(ctx context.Context, q warehouse.Querier, pl *plan.Plan, d *plan.Delivery, ch Channel, all bool) ([]Message, error) {
	n := d.Models[0]
	cols, err := warehouse.Describe(ctx, q, n.Relation.String())
	if err != nil {
		return nil, err
	}
	for _, k := range append(append([]string{}, d.Key...), d.To.Column) {
		if k != "" && !hasColumn(cols, k) {
			return nil, fmt.Errorf("%s: the model has no column %q", d.Label(), k)
		}
	}
	query := "SELECT " + KeyExpr(d.Key) + " AS __etl_key, " + selectList(cols) + " FROM " + n.Relation.String()
	var args []any
	if !all {
		query += " WHERE " + KeyExpr(d.Key) + " NOT IN (SELECT row_key FROM " + Table + " WHERE model = ? AND channel = ?)"
		args = append(args, d.Outbox(), d.Channel)
	}
	rows, err := readRows(ctx, q, query+" ORDER BY "+orderBy(d.Key), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Label(), err)
	}
	var out []Message
	for _, row := range rows {
		key := fmt.Sprint(row["__etl_key"])
		delete(row, "__etl_key")
		locals := map[string]any{"row": row, "model": n.Name}
		for k, v := range row {
			locals[k] = v
		}
		m := Message{Model: d.Outbox(), Key: key, Channel: d.Channel}
		if err := RenderInto(ctx, pl, d.Delivery, ch, locals, row, &m); err != nil {
			return nil, fmt.Errorf("%s, row %s: %w", d.Label(), key, err)
		}
		to, err := Recipients(ctx, pl, d.Delivery, ch, row)
		if err != nil {
			return nil, fmt.Errorf("%s, row %s: %w", d.Label(), key, err)
		}
		out = append(out, m.To(to)...)
	}
	return out, nil
}

func composeDigest(ctx context.Context, q warehouse.Querier, pl *plan.Plan, d *plan.Delivery, ch Channel) ([]Message, error) {
	models := map[string]any{}
	var first []map[string]any
	empty := true
	for i, n := range d.Models {
		cols, err := warehouse.Describe(ctx, q, n.Relation.String())
		if err != nil {
			return nil, err
		}
		rows, err := readRows(ctx, q, "SELECT "+selectList(cols)+" FROM "+n.Relation.String()+" ORDER BY ALL")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Label(), err)
		}
		if i == 0 {
			first = rows
		}
		empty = empty && len(rows) == 0
		models[n.Name] = rows
	}
	if empty {
		return nil, nil
	}
	data, err := json.Marshal(models)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	m := Message{Model: d.Outbox(), Key: "digest:" + hex.EncodeToString(sum[:8]), Channel: d.Channel}
	locals := map[string]any{"rows": first, "models": models}
	if err := RenderInto(ctx, pl, d.Delivery, ch, locals, models, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", d.Label(), err)
	}
	to, err := Recipients(ctx, pl, d.Delivery, ch, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Label(), err)
	}
	return m.To(to), nil
}

// RenderInto renders delivery d's templates into m for its channel: a
// Telegram message's values are MarkdownV2-escaped, a webhook's text is
// escaped for Slack and posted as JSON with fields beside it.
func RenderInto(ctx context.Context, pl *plan.Plan, d *project.Delivery, ch Channel, locals map[string]any, fields any, m *Message) error {
	var escape func(string) string
	switch ch.Type {
	case project.Telegram:
		escape = EscapeMarkdown
	case project.Webhook:
		escape = EscapeSlack
	}
	var err error
	if d.Subject != "" {
		if m.Subject, err = pl.RenderMessage(ctx, d.File, d.SubjectAt, d.Subject, locals, nil); err != nil {
			return err
		}
		m.Subject = strings.Join(strings.Fields(m.Subject), " ")
	}
	if d.Body != "" {
		if m.Body, err = pl.RenderMessage(ctx, d.File, d.BodyAt, d.Body, locals, escape); err != nil {
			return err
		}
	}
	if ch.Type == project.Webhook {
		m.Body, err = WebhookPayload(strings.TrimSpace(m.Body), fields)
	}
	return err
}

// Recipients are where one message of delivery d goes: the row's column
// (or the fallback when it is empty), the delivery's list, or the
// channel's. The fallback and the list are templates, like the channel's
// settings.
func Recipients(ctx context.Context, pl *plan.Plan, d *project.Delivery, ch Channel, row map[string]any) ([]string, error) {
	if d.To.Column != "" {
		if v, ok := row[d.To.Column].(string); ok && strings.TrimSpace(v) != "" {
			return []string{strings.TrimSpace(v)}, nil
		}
		if d.To.Fallback == "" {
			return nil, fmt.Errorf("column %s is empty and to has no fallback", d.To.Column)
		}
		v, err := pl.RenderSetting(ctx, d.To.Fallback)
		if err != nil || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("column %s is empty and the fallback renders empty (%v)", d.To.Column, err)
		}
		return []string{strings.TrimSpace(v)}, nil
	}
	var out []string
	for _, t := range d.To.List {
		v, err := pl.RenderSetting(ctx, t)
		if err != nil {
			return nil, err
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	if len(d.To.List) == 0 {
		out = ch.To
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no recipient: give to, or recipients on channel %s", ch.Name)
	}
	return out, nil
}

// KeyExpr is the SQL text of a row's outbox key: its one key column as
// text, or a JSON list of them.
func KeyExpr(cols []string) string {
	if len(cols) == 1 {
		return "coalesce(CAST(" + warehouse.QuoteIdent(cols[0]) + " AS VARCHAR), '')"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "CAST(" + warehouse.QuoteIdent(c) + " AS VARCHAR)"
	}
	return "CAST(to_json([" + strings.Join(parts, ", ") + "]) AS VARCHAR)"
}

func orderBy(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = warehouse.QuoteIdent(c)
	}
	return strings.Join(parts, ", ")
}
