package export

import (
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"etlrunner/etl/warehouse"
)

// StagingPrefix starts the name of a run's staging folder in the output
// folder, where its files wait until the run succeeds.
const StagingPrefix = ".staging-"

// Names only the runner gives, so a sweep never takes a user's file: a
// folder moved aside while its replacement was renamed in (replaceDir) and
// a file written through a temporary beside it (WriteAtomic).
var (
	asideName = regexp.MustCompile(`^\..+\.old-[0-9]+$`)
	tempName  = regexp.MustCompile(`^\..+-[0-9]+\.tmp$`)
)

// SweepLeftovers removes from dir what runs that died (a kill, a power
// cut) left: staging folders at its top, and anywhere below it folders
// set aside during a publish and temporary files of atomic writes. Call it
// holding the warehouse lock, before the run stages anything: no live run
// owns such a name then.
func SweepLeftovers(dir string) ([]warehouse.Leftover, error) {
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		name := d.Name()
		switch {
		case p == dir:
			return nil
		case d.IsDir() && filepath.Dir(p) == dir && strings.HasPrefix(name, StagingPrefix),
			d.IsDir() && asideName.MatchString(name):
			found = append(found, p)
			return filepath.SkipDir
		case d.Type().IsRegular() && tempName.MatchString(name):
			found = append(found, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []warehouse.Leftover
	for _, p := range found {
		l, err := warehouse.RemoveLeftover(p)
		if err != nil {
			return out, err
		}
		out = append(out, l)
	}
	return out, nil
}
