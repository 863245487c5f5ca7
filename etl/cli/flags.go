package cli

import (
	ucli "github.com/urfave/cli/v2"
)

func projectFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "project-dir", Value: ".", Usage: "folder holding etl.yml"},
		&ucli.StringFlag{Name: "vars", Usage: "variables as YAML or JSON, e.g. '{seeds_dir: /data/landing}'"},
	}
}

func selectFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "select", Aliases: []string{"s"}, Usage: "nodes to include: name, +name, name+, tag:x, path:models/gold"},
		&ucli.StringSliceFlag{Name: "exclude", Usage: "nodes to leave out, same syntax as --select"},
	}
}

func runFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.IntFlag{Name: "threads", Usage: "models run at once (default: the project's threads)"},
		&ucli.BoolFlag{Name: "full-refresh", Usage: "rebuild incremental models and reload every seed file"},
		&ucli.StringFlag{Name: "log-format", Value: "text", Usage: "text or json"},
		&ucli.StringFlag{Name: "progress", Value: "auto", Usage: "live lines for running nodes with --log-format text: auto (when stdout is a terminal), always or never"},
		&ucli.StringFlag{Name: "query-log", Usage: "write every SQL statement the run executed to this file (JSON lines)"},
		&ucli.BoolFlag{Name: "no-send", Usage: "queue the deliveries' messages without sending them (etl deliveries send, or cancel)"},
	}
}

func flags(groups ...[]ucli.Flag) []ucli.Flag {
	var out []ucli.Flag
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
