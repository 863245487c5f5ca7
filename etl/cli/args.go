package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// interspersed moves the flags that follow a command's positional arguments
// in front of them, so `etl show MODEL --limit 5` and `etl generate
// notifications --rows 1000000` work: urfave/cli v2 stops reading flags at
// the first positional argument. Which flags take a value comes from the
// command's own definitions; everything after `--` stays as it is.
func interspersed(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmds, i := app.Commands, 1
	var cmd *ucli.Command
	head := []string{args[0]}
	var flags []string
	// Flags between a command and its subcommand (etl deliveries
	// --project-dir x send) go after the subcommand, which takes them too.
	for i < len(args) {
		if a := args[i]; cmd != nil && strings.HasPrefix(a, "-") && a != "-" && a != "--" {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && takesValue(cmd, strings.TrimLeft(a, "-")) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			i++
			continue
		}
		c := findCommand(cmds, args[i])
		if c == nil {
			break
		}
		cmd, cmds = c, c.Subcommands
		head = append(head, args[i])
		i++
	}
	if cmd == nil {
		return args
	}
	var positional []string
	rest := args[i:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			positional = append(positional, rest[j:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if !strings.Contains(a, "=") && takesValue(cmd, strings.TrimLeft(a, "-")) && j+1 < len(rest) {
			j++
			flags = append(flags, rest[j])
		}
	}
	return append(append(head, flags...), positional...)
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether the command's flag called name needs a value
// (a flag of one of its subcommands, when it has none of that name);
// unknown flags are left for urfave/cli to report.
func takesValue(cmd *ucli.Command, name string) bool {
	for _, sub := range cmd.Subcommands {
		if takesValue(sub, name) {
			return true
		}
	}
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if bf, ok := f.(*ucli.BoolFlag); ok && bf != nil {
				return false
			}
			return true
		}
	}
	return false
}
