package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sync/errgroup"
)

// landingSpec is what a landing folder holds: rows per generated family,
// the notifications' minute files, and whether the project's own invoices
// and chatbot seeds (which have no generator) are copied in.
type landingSpec struct {
	Families map[string]int `json:"families"`
	Minutes  int            `json:"minutes,omitempty"` // 0: the generator's default
	Gzip     bool           `json:"gzip,omitempty"`    // every notifications file compressed
	Seed     uint64         `json:"seed"`
	Fixed    bool           `json:"fixed_seeds"`
	Files    int            `json:"notification_files"`
}

const stampName = ".bench-landing.json"

// landing makes sure dir holds the data spec describes, reusing what an
// earlier run generated when it matches, so reruns are quick.
func (b *bench) landing(ctx context.Context, dir string, spec landingSpec) error {
	if old, err := readStamp(dir); err == nil {
		spec.Files = old.Files
		if equalSpec(old, spec) && countFiles(filepath.Join(dir, "notifications")) == old.Files {
			b.progress("reusing landing data in %s", b.rel(dir))
			return nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	b.progress("generating landing data in %s: %s", b.rel(dir), describeFamilies(spec.Families))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for name, rows := range spec.Families {
		for _, args := range b.generateArgs(name, rows, spec, dir) {
			g.Go(func() error {
				_, err := b.run(gctx, b.project, "generate "+name, b.etl, args...)
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if spec.Fixed {
		if err := copyFixedSeeds(b.project, dir); err != nil {
			return err
		}
	}
	spec.Files = countFiles(filepath.Join(dir, "notifications"))
	data, _ := json.Marshal(spec)
	if err := os.WriteFile(filepath.Join(dir, stampName), data, 0o644); err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	return nil
}

// generateArgs are the etl generate command lines for one family. The
// notifications of a large set are written by two processes, each its own
// range of minutes, since the generator is single-threaded.
func (b *bench) generateArgs(name string, rows int, spec landingSpec, dir string) [][]string {
	base := []string{"generate", name, "--seed", strconv.FormatUint(spec.Seed, 10), "--out", dir}
	if spec.Gzip && name == "notifications" {
		base = append(base, "--gzip")
	}
	minutes := spec.Minutes
	if name != "notifications" || rows < 1_000_000 {
		if name == "notifications" && minutes > 0 {
			base = append(base, "--minutes", strconv.Itoa(minutes))
		}
		return [][]string{append(base, "--rows", strconv.Itoa(rows))}
	}
	if minutes == 0 {
		minutes = max(6, (rows+notifPerMinute-1)/notifPerMinute)
	}
	half := minutes / 2
	rowsFirst := int(int64(rows) * int64(half) / int64(minutes))
	return [][]string{
		append(base, "--rows", strconv.Itoa(rowsFirst), "--minutes", strconv.Itoa(half)),
		append(base, "--rows", strconv.Itoa(rows-rowsFirst), "--minutes", strconv.Itoa(minutes-half), "--first-minute", strconv.Itoa(half)),
	}
}

// notifPerMinute is the generator's events in a full minute.
const notifPerMinute = 70000

func readStamp(dir string) (landingSpec, error) {
	var s landingSpec
	data, err := os.ReadFile(filepath.Join(dir, stampName))
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(data, &s)
}

func equalSpec(a, b landingSpec) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func countFiles(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	return len(entries)
}

// copyFixedSeeds copies the inputs that have no generator: the invoices
// and the chatbot's hourly files.
func copyFixedSeeds(project, dir string) error {
	src := filepath.Join(project, "seeds")
	if err := copyFile(filepath.Join(src, "invoices.csv"), filepath.Join(dir, "invoices.csv")); err != nil {
		return err
	}
	if err := os.CopyFS(filepath.Join(dir, "chatbot"), os.DirFS(filepath.Join(src, "chatbot"))); err != nil {
		return fmt.Errorf("copy chatbot seeds: %w", err)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return out.Close()
}

// copyProject makes dir a fresh copy of the project's files (no warehouse,
// no outputs).
func copyProject(project, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("project copy: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("project copy: %w", err)
	}
	if err := copyFile(filepath.Join(project, "etl.yml"), filepath.Join(dir, "etl.yml")); err != nil {
		return err
	}
	for _, sub := range []string{"models", "sql", "tests"} {
		err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join(project, sub)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("project copy: %w", err)
		}
	}
	return nil
}

// warm reads every landing file once so that no measured run pays for a
// cold page cache while another does not.
func warm(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := io.Copy(io.Discard, f)
		total += n
		return err
	})
	return total, err
}

func dirSize(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

// notificationsOnly makes dst a landing folder of spec (notifications
// only) from the notification files of src, which must have been generated
// with the same size and seed: hard links (copies where a link fails), so
// a figure that needs no other family runs on the same files without
// generating them again.
func (b *bench) notificationsOnly(src, dst string, spec landingSpec) error {
	if old, err := readStamp(dst); err == nil {
		spec.Files = old.Files
		if equalSpec(old, spec) && countFiles(filepath.Join(dst, "notifications")) == old.Files {
			b.progress("reusing landing data in %s", b.rel(dst))
			return nil
		}
	}
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dst, "notifications"), 0o755); err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	entries, err := os.ReadDir(filepath.Join(src, "notifications"))
	if err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	for _, e := range entries {
		from, to := filepath.Join(src, "notifications", e.Name()), filepath.Join(dst, "notifications", e.Name())
		if os.Link(from, to) != nil {
			if err := copyFile(from, to); err != nil {
				return err
			}
		}
	}
	b.progress("linked the notification files of %s into %s", b.rel(src), b.rel(dst))
	spec.Files = len(entries)
	data, _ := json.Marshal(spec)
	if err := os.WriteFile(filepath.Join(dst, stampName), data, 0o644); err != nil {
		return fmt.Errorf("landing: %w", err)
	}
	return nil
}
