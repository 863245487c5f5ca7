package project

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Channel types.
const (
	Email    = "email"
	Webhook  = "webhook"
	Telegram = "telegram"
)

// What one message of a delivery covers.
const (
	PerRow = "row" // one message per row of the model
	PerRun = "run" // one digest of the rows, sent when they changed
)

// Delivery is a message the runner sends about a model's rows: declared
// under deliveries: on a model, or as an on_run_end digest of several
// models. Subject and body are templates rendered from the row's columns
// (per row) or from rows / models.<name> (a digest).
type Delivery struct {
	// Name names an on_run_end digest in the outbox (a model's delivery
	// goes by its model).
	Name string `yaml:"name" json:"name,omitempty"`
	// Models are the models an on_run_end digest reads.
	Models  StringList `yaml:"models" json:"models,omitempty"`
	Channel string     `yaml:"channel" json:"channel"`
	Per     string     `yaml:"per" json:"per"`
	// Key are the columns that say which row a message is about; default
	// the model's unique_key.
	Key     StringList `yaml:"key" json:"key,omitempty"`
	To      Recipients `yaml:"to" json:"to"`
	Subject string     `yaml:"subject" json:"subject,omitempty"`
	Body    string     `yaml:"body" json:"body"`

	Model string `yaml:"-" json:"model,omitempty"` // the model a model's delivery is on
	File  string `yaml:"-" json:"-"`
	Line  int    `yaml:"-" json:"-"`
	// SubjectAt and BodyAt are the file lines the templates start on.
	SubjectAt int `yaml:"-" json:"-"`
	BodyAt    int `yaml:"-" json:"-"`
}

// Recipients are a fixed list (`to: [a, b]`) or a column of the row with
// an address for rows where it is empty (`to: {column: email, fallback: x}`).
// Empty: the channel's own recipients.
type Recipients struct {
	List     []string `yaml:"-" json:"list,omitempty"`
	Column   string   `yaml:"column" json:"column,omitempty"`
	Fallback string   `yaml:"fallback" json:"fallback,omitempty"`
}

// UnmarshalYAML accepts an address, a list of them, or {column, fallback}.
func (r *Recipients) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*r = Recipients{List: []string{n.Value}}
		return nil
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		*r = Recipients{List: list}
		return nil
	}
	type plain Recipients
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*r = Recipients(p)
	return nil
}

// Channel is one way out, configured in etl.yml under deliveries.channels.
// Every value is a template, so secrets come from env_var(); a channel whose
// required values render empty is not configured, and its deliveries queue
// nothing.
type Channel struct {
	Name string `yaml:"-"`
	// Type is email, webhook or telegram; default the channel's name.
	Type string `yaml:"type"`
	// email
	Host     string     `yaml:"host"`
	Port     string     `yaml:"port"`
	TLS      string     `yaml:"tls"`
	Username string     `yaml:"username"`
	Password string     `yaml:"password"`
	From     string     `yaml:"from"`
	To       StringList `yaml:"to"`
	// webhook
	URL    string `yaml:"url"`
	Secret string `yaml:"secret"`
	// telegram
	Token   string     `yaml:"token"`
	APIBase string     `yaml:"api_base"`
	ChatIDs StringList `yaml:"chat_ids"`
	Line    int        `yaml:"-"`
}

// channelKeys are the settings each type takes.
var channelKeys = map[string][]string{
	Email:    {"type", "host", "port", "tls", "username", "password", "from", "to"},
	Webhook:  {"type", "url", "secret"},
	Telegram: {"type", "token", "api_base", "chat_ids"},
}

// Deliveries are the project's delivery settings (etl.yml deliveries:).
type Deliveries struct {
	// MaxAttempts bounds the sends of a message before it is failed.
	MaxAttempts int `yaml:"max_attempts"`
	// Backoff is the wait after a message's first failed send, doubled
	// after each (a Go duration: 1m, 30s).
	Backoff string `yaml:"backoff"`
	// Timeout bounds one send.
	Timeout string `yaml:"timeout"`
	// OnFailure is warn (the default: a failed send is a warning) or error
	// (a build whose sends fail exits 3, its outputs published).
	OnFailure string              `yaml:"on_failure"`
	Channels  map[string]*Channel `yaml:"channels"`
	// OnRunFailure sends a short notice when a run fails.
	OnRunFailure *Delivery `yaml:"on_run_failure"`
}

// Durations of the settings, with defaults; valid after Load.
func (d *Deliveries) BackoffDuration() time.Duration { return durationOr(d.Backoff, time.Minute) }
func (d *Deliveries) TimeoutDuration() time.Duration { return durationOr(d.Timeout, 30*time.Second) }

func durationOr(s string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(s); err == nil && v > 0 {
		return v
	}
	return def
}

// loadDeliveries reads etl.yml's deliveries: and on_run_end: nodes.
func (p *Project) loadDeliveries(settings, onRunEnd *yaml.Node) error {
	var list errorList
	if settings.Kind != 0 {
		if err := decodeNode(FileName, settings, &p.Delivery); err != nil {
			return err
		}
		for _, c := range mappingPairs(settings, "channels") {
			list.add(p.checkChannel(c.key, c.value))
		}
		if n := mappingValue(settings, "on_run_failure"); n != nil && p.Delivery.OnRunFailure != nil {
			p.Delivery.OnRunFailure.locate(FileName, n)
		}
		if _, err := time.ParseDuration(p.Delivery.Backoff); p.Delivery.Backoff != "" && err != nil {
			list.addf(FileName, settings.Line, 0, "deliveries: backoff %q is not a duration such as 1m or 30s", p.Delivery.Backoff)
		}
		if _, err := time.ParseDuration(p.Delivery.Timeout); p.Delivery.Timeout != "" && err != nil {
			list.addf(FileName, settings.Line, 0, "deliveries: timeout %q is not a duration such as 30s", p.Delivery.Timeout)
		}
		switch p.Delivery.OnFailure {
		case "", "warn", "error":
		default:
			list.addf(FileName, settings.Line, 0, "deliveries: on_failure must be warn or error, got %q", p.Delivery.OnFailure)
		}
		if p.Delivery.MaxAttempts < 0 {
			list.addf(FileName, settings.Line, 0, "deliveries: max_attempts must be positive")
		}
	}
	if onRunEnd.Kind == yaml.SequenceNode {
		for _, n := range onRunEnd.Content {
			list.add(p.addOnRunEnd(FileName, n))
		}
	}
	return list.err()
}

func (p *Project) checkChannel(key, node *yaml.Node) error {
	c := p.Delivery.Channels[key.Value]
	if c == nil {
		return nodeError(FileName, key, "channel %s has no settings", key.Value)
	}
	c.Name, c.Line = key.Value, key.Line
	if c.Type == "" {
		c.Type = key.Value
	}
	keys, ok := channelKeys[c.Type]
	if !ok {
		return nodeError(FileName, key, "channel %s: type must be email, webhook or telegram, got %q", key.Value, c.Type)
	}
	var list errorList
	for _, kv := range mappingPairs(node, "") {
		if k := kv.key; !slices.Contains(keys, k.Value) {
			list.add(nodeError(FileName, k, "channel %s: %s is not a setting of a %s channel (it takes %s)", key.Value, k.Value, c.Type, strings.Join(keys[1:], ", ")))
		}
	}
	return list.err()
}

// addOnRunEnd reads one on_run_end digest.
func (p *Project) addOnRunEnd(file string, node *yaml.Node) error {
	d := &Delivery{}
	if err := decodeNode(file, node, d); err != nil {
		return err
	}
	d.locate(file, node)
	switch {
	case d.Name == "":
		return nodeError(file, node, "an on_run_end delivery needs a name")
	case len(d.Models) == 0:
		return nodeError(file, node, "on_run_end %s: models lists the models its template reads", d.Name)
	case d.Per != "" && d.Per != PerRun:
		return nodeError(file, node, "on_run_end %s: is one digest per run (per: run)", d.Name)
	}
	for _, o := range p.OnRunEnd {
		if o.Name == d.Name {
			return nodeError(file, node, "on_run_end %s is already declared at %s:%d", d.Name, o.File, o.Line)
		}
	}
	d.Per = PerRun
	p.OnRunEnd = append(p.OnRunEnd, d)
	return nil
}

// addModelDeliveries reads the deliveries: of a model's YAML entry.
func (m *Model) addDeliveries(file string, nodes []yaml.Node) error {
	var list errorList
	for i := range nodes {
		n := &nodes[i]
		d := &Delivery{}
		if err := decodeNode(file, n, d); err != nil {
			list.add(err)
			continue
		}
		d.Model = m.Name
		d.locate(file, n)
		if d.Name != "" || len(d.Models) > 0 {
			list.add(nodeError(file, n, "model %s: name and models are for on_run_end deliveries", m.Name))
			continue
		}
		if d.Per == "" {
			d.Per = PerRow
		}
		for _, o := range m.Deliveries {
			if o.Channel == d.Channel {
				list.add(nodeError(file, n, "model %s already has a delivery on channel %s (line %d)", m.Name, d.Channel, o.Line))
			}
		}
		m.Deliveries = append(m.Deliveries, d)
	}
	return list.err()
}

// checkDeliveries checks every delivery against the channels, once the
// project file and every YAML file are read.
func (p *Project) checkDeliveries() error {
	var list errorList
	all := append([]*Delivery{}, p.OnRunEnd...)
	for _, m := range p.Models {
		all = append(all, m.Deliveries...)
	}
	for _, d := range all {
		if err := p.checkDelivery(d); err != nil {
			list.add(&Error{File: d.File, Line: d.Line, Msg: d.Label() + ": " + err.Error()})
		}
		for _, name := range d.Models {
			if p.Model(name) == nil {
				list.add(&Error{File: d.File, Line: d.Line, Msg: fmt.Sprintf("%s: model %q does not exist", d.Label(), name)})
			}
		}
	}
	if d := p.Delivery.OnRunFailure; d != nil {
		d.Name, d.Per = "run_failure", PerRun
		if err := p.checkDelivery(d); err != nil {
			list.add(&Error{File: d.File, Line: d.Line, Msg: "on_run_failure: " + err.Error()})
		}
	}
	return list.err()
}

func (p *Project) checkDelivery(d *Delivery) error {
	c := p.Delivery.Channels[d.Channel]
	switch {
	case d.Channel == "":
		return fmt.Errorf("a delivery needs a channel")
	case c == nil:
		return fmt.Errorf("channel %q is not declared in %s under deliveries.channels", d.Channel, FileName)
	case d.Per != PerRow && d.Per != PerRun:
		return fmt.Errorf("per must be row or run, got %q", d.Per)
	case strings.TrimSpace(d.Body) == "" && d.Name != "run_failure":
		return fmt.Errorf("a delivery needs a body")
	case d.Subject != "" && c.Type != Email:
		return fmt.Errorf("subject is for e-mail; a %s message is its body", c.Type)
	case d.To.Column != "" && d.Per != PerRow:
		return fmt.Errorf("to: {column: ...} takes each row's recipient, so it needs per: row")
	case d.To.Fallback != "" && d.To.Column == "":
		return fmt.Errorf("to: a fallback is for rows whose recipient column is empty: give the column")
	case c.Type == Webhook && (len(d.To.List) > 0 || d.To.Column != ""):
		return fmt.Errorf("a webhook's recipient is its URL: give no to")
	case len(d.Key) > 0 && d.Per != PerRow:
		return fmt.Errorf("key names the row of a per-row message; a digest is keyed by its rows")
	}
	return nil
}

// Label names a delivery in messages.
func (d *Delivery) Label() string {
	if d.Model != "" {
		return fmt.Sprintf("model %s: delivery %s", d.Model, d.Channel)
	}
	return "on_run_end " + d.Name
}

// Outbox is the name the delivery's messages carry in the outbox.
func (d *Delivery) Outbox() string {
	if d.Model != "" {
		return d.Model
	}
	return d.Name
}

// locate records where the delivery is written: its file, its line and the
// lines its templates start on, for positioned errors.
func (d *Delivery) locate(file string, n *yaml.Node) {
	d.File, d.Line = file, n.Line
	d.SubjectAt, d.BodyAt = templateLine(n, "subject"), templateLine(n, "body")
}

// templateLine is the file line a template value under key starts on (a
// block scalar's text starts on the line after its indicator).
func templateLine(n *yaml.Node, key string) int {
	v := mappingValue(n, key)
	if v == nil {
		return 0
	}
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return v.Line + 1
	}
	return v.Line
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for _, kv := range mappingPairs(n, "") {
		if kv.key.Value == key {
			return kv.value
		}
	}
	return nil
}

type pair struct{ key, value *yaml.Node }

// mappingPairs lists the key/value pairs of mapping n, or of its mapping
// under key when key is set.
func mappingPairs(n *yaml.Node, key string) []pair {
	if key != "" {
		n = mappingValue(n, key)
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{n.Content[i], n.Content[i+1]})
	}
	return out
}
