// Package generate writes deterministic, realistic landing files for each
// business family: the project's own seeds, and large data sets for
// benchmarks. The same seed and row count always give the same bytes.
package generate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Options of one generation.
type Options struct {
	// Rows is the size of the family's main input (shipments, events,
	// transactions...); the other inputs scale with it.
	Rows int
	// Seed makes the output reproducible.
	Seed uint64
	// Out is the landing folder; files go where the family's seeds expect
	// them under seeds_dir (e.g. Out/notifications/*.jsonl).
	Out string
	// FirstMinute is the index of the first minute file the notifications
	// family writes, so a later minute can be added after a history (0: the
	// first minute). A continuation draws from its own random stream, so its
	// message ids never repeat the history's.
	FirstMinute int
	// Minutes is how many minute files the notifications family spreads its
	// rows over (0: one per 70,000 events, at least six).
	Minutes int
	// Gzip compresses every notifications file, not only every fifth: a
	// full day then takes a quarter of the disk.
	Gzip bool
}

// Family generates the landing files of one business family.
type Family struct {
	Name        string
	Description string
	// DefaultRows is the size of the project's committed seeds.
	DefaultRows int
	Write       func(ctx context.Context, opts Options) error
}

// registry lists every family; each is defined in its own file.
var registry = []Family{shipments, notifications, campaign, spending, ecommerceCDC}

// Families returns every family, sorted by name.
func Families() []Family {
	out := append([]Family(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Run generates the named family.
func Run(ctx context.Context, name string, opts Options) error {
	for _, f := range registry {
		if f.Name != name {
			continue
		}
		if opts.Rows <= 0 {
			opts.Rows = f.DefaultRows
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := f.Write(ctx, opts); err != nil {
			return fmt.Errorf("generate %s: %w", name, err)
		}
		return nil
	}
	names := make([]string, 0, len(registry))
	for _, f := range Families() {
		names = append(names, f.Name)
	}
	return fmt.Errorf("unknown family %q (known: %s)", name, strings.Join(names, ", "))
}

// newRand returns the generator's random source for a family: the seed and
// the family's name together, so families never share a stream.
func newRand(seed uint64, family string) *rand.Rand {
	var h uint64 = 14695981039346656037
	for _, c := range []byte(family) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return rand.New(rand.NewPCG(seed, h))
}
