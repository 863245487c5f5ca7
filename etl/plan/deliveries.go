package plan

import (
	"context"
	"errors"
	"fmt"

	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
)

// Delivery is a delivery of the project with what it reads resolved: the
// model nodes whose rows its messages are rendered from, and the key of a
// per-row message.
type Delivery struct {
	*project.Delivery
	ID     string  // delivery.<project>.<outbox name>.<channel>
	Models []*Node // the model it is on, or an on_run_end's models
	Key    []string
}

// compileDeliveries resolves every delivery of an enabled model and every
// on_run_end digest, and checks their templates.
func (pl *Plan) compileDeliveries() project.Errors {
	var errs project.Errors
	var all []*project.Delivery
	for _, m := range pl.Project.Models {
		all = append(all, m.Deliveries...)
	}
	all = append(all, pl.Project.OnRunEnd...)
	for _, d := range all {
		pd := &Delivery{Delivery: d, ID: fmt.Sprintf("delivery.%s.%s.%s", pl.Project.Name, d.Outbox(), d.Channel), Key: d.Key}
		names := d.Models
		if d.Model != "" {
			names = project.StringList{d.Model}
		}
		for _, name := range names {
			if n := pl.Model(name); n != nil {
				pd.Models = append(pd.Models, n)
			}
		}
		if len(pd.Models) < len(names) {
			continue // on a disabled model: it sends nothing
		}
		if d.Per == project.PerRow && len(pd.Key) == 0 {
			pd.Key = pd.Models[0].Config.UniqueKey
			if len(pd.Key) == 0 {
				errs = append(errs, &project.Error{File: d.File, Line: d.Line,
					Msg: d.Label() + ": key names the columns that say which row a message is about (the model has no unique_key)"})
			}
		}
		errs = append(errs, pl.checkTemplates(d)...)
		pl.Deliveries = append(pl.Deliveries, pd)
	}
	if d := pl.Project.Delivery.OnRunFailure; d != nil {
		errs = append(errs, pl.checkTemplates(d)...)
	}
	return errs
}

func (pl *Plan) checkTemplates(d *project.Delivery) project.Errors {
	var errs project.Errors
	for _, t := range []struct {
		text string
		line int
	}{{d.Subject, d.SubjectAt}, {d.Body, d.BodyAt}} {
		if err := pl.engine.Check(d.File, t.text); err != nil {
			errs = append(errs, shift(err, t.line))
		}
	}
	return errs
}

// shift positions a template error found in a YAML value at the file line
// the value starts on.
func shift(err error, line int) error {
	var te *tmpl.Error
	if !errors.As(err, &te) {
		return err
	}
	e := *te
	if e.Line > 0 && line > 0 {
		e.Line += line - 1
	} else if line > 0 {
		e.Line = line
	}
	return &e
}

// RenderMessage renders a delivery's template (subject or body, starting
// on the given line of file) with locals as its variables, var() and
// env_var(); escape, if set, applies to every value it writes.
func (pl *Plan) RenderMessage(ctx context.Context, file string, line int, text string, locals map[string]any, escape func(string) string) (string, error) {
	res, err := pl.engine.Render(ctx, file, text, tmpl.Context{Vars: pl.Vars, EnvVar: pl.env, Locals: locals, Escape: escape})
	if err != nil {
		return "", shift(err, line)
	}
	return res.SQL, nil
}

// RenderSetting renders one value of the project file (a channel's
// setting), where env_var() brings secrets in from the environment.
func (pl *Plan) RenderSetting(ctx context.Context, text string) (string, error) {
	res, err := pl.engine.Render(ctx, project.FileName, text, tmpl.Context{Vars: pl.Vars, EnvVar: pl.env})
	if err != nil {
		return "", err
	}
	return res.SQL, nil
}
