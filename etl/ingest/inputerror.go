package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// InputError is structurally broken input: the file, the 1-based line of
// the problem and what is wrong, without DuckDB's advice text.
type InputError struct {
	File string
	Line int
	Msg  string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

func missingColumns(path string, names []string) error {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	switch len(names) {
	case 0:
		return nil
	case 1:
		return &InputError{File: path, Line: 1, Msg: "missing column " + quoted[0]}
	}
	return &InputError{File: path, Line: 1, Msg: "missing columns " + strings.Join(quoted, ", ")}
}

// isInputFailure tells errors about the data from errors about the system
// (a file that vanished, a cancelled context, a full disk).
func isInputFailure(err error) bool {
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return false
	}
	return de.Type == duckdb.ErrorTypeInvalidInput || de.Type == duckdb.ErrorTypeConversion
}

var (
	csvFileRe    = regexp.MustCompile(`(?m)^\s*file = (.+)$`)
	csvLineRe    = regexp.MustCompile(`CSV Error on Line: (\d+)`)
	csvColumnsRe = regexp.MustCompile(`Expected Number of Columns: (\d+) Found: (\d+)`)
	jsonFileRe   = regexp.MustCompile(`in file "(.*?)"`)
	jsonWhereRe  = regexp.MustCompile(`in (line|record/value) (\d+): (.*)`)
	jsonGotRe    = regexp.MustCompile(`Expected OBJECT, but got (\w+)`)
	jsonDupRe    = regexp.MustCompile(`has duplicate key ("(?:[^"\\]|\\.)*")`)
)

// csvReadError turns a failed read_csv into an InputError. DuckDB names the
// file, but its "line" counts records (and blank lines), not the line
// breaks inside quoted values, so the physical line is recounted from the
// file.
func csvReadError(err error, group []*file) error {
	if !isInputFailure(err) {
		return fmt.Errorf("read CSV: %w", err)
	}
	msg := err.Error()
	f := namedFile(csvFileRe, msg, group)
	if f == nil {
		return fmt.Errorf("read CSV: %w", err)
	}
	data, rerr := readText(f.abs, f.enc)
	if rerr != nil {
		return unreadable(f, err, data, rerr)
	}
	line := 0
	if m := csvLineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = csvPhysicalLine(data, n)
	} else {
		line = csvProblemLine(data, len(f.header))
	}
	return &InputError{File: f.path, Line: line, Msg: csvMessage(msg, f.enc)}
}

// unreadable reports a file whose text could not be read back to locate
// DuckDB's complaint: a gzip stream that ends early or is corrupt is the
// problem itself, on the line where its text stops.
func unreadable(f *file, err error, partial []byte, rerr error) error {
	if isGzipProblem(rerr) {
		return &InputError{File: f.path, Line: bytes.Count(partial, []byte("\n")) + 1, Msg: "gzip data ends early or is corrupt"}
	}
	return fmt.Errorf("%s: %w (while locating: %v)", f.path, err, rerr)
}

func csvMessage(msg, enc string) string {
	switch m := csvColumnsRe.FindStringSubmatch(msg); {
	case m != nil:
		return fmt.Sprintf("expected %s fields, found %s", m[1], m[2])
	case strings.Contains(msg, "unterminated quote"):
		return "unterminated quoted value"
	case strings.Contains(msg, "Invalid unicode") && duckEncoding(enc) == "":
		return "invalid UTF-8 (a file in another encoding needs the seed option encoding: latin-1 or utf-16)"
	case strings.Contains(msg, "Invalid unicode"):
		return "text that is not valid " + enc
	case strings.Contains(msg, "Maximum line size"):
		return "line too long (DuckDB's limit is 2000000 bytes)"
	}
	return "malformed CSV"
}

// jsonReadError turns a failed read_json into an InputError. DuckDB reports
// a byte within a record number (or a line number that is not always the
// broken one), so the line is found by checking the file in Go.
func jsonReadError(err error, group []*file, array bool) error {
	if !isInputFailure(err) {
		return fmt.Errorf("read JSON: %w", err)
	}
	msg := err.Error()
	f := namedFile(jsonFileRe, msg, group)
	if f == nil {
		return fmt.Errorf("read JSON: %w", err)
	}
	data, rerr := readText(f.abs, f.enc)
	if rerr != nil {
		return unreadable(f, err, data, rerr)
	}
	line, found := jsonProblemLine(data, array)
	where := jsonWhereRe.FindStringSubmatch(firstLine(msg))
	if !found {
		line = 1
		if where != nil && where[1] == "line" {
			line, _ = strconv.Atoi(where[2])
		}
	}
	return &InputError{File: f.path, Line: line, Msg: jsonMessage(msg, where, f)}
}

func jsonMessage(msg string, where []string, f *file) string {
	if m := jsonGotRe.FindStringSubmatch(msg); m != nil {
		return "record is not a JSON object (got " + m[1] + ")"
	}
	if m := jsonDupRe.FindStringSubmatch(msg); m != nil {
		return "a record has the key " + m[1] + " twice"
	}
	if where != nil && strings.Contains(msg, "Malformed JSON") {
		desc := where[3]
		if i := strings.Index(desc, ". "); i >= 0 {
			desc = desc[:i]
		}
		return "malformed JSON: " + strings.TrimSuffix(strings.TrimSpace(desc), ".")
	}
	first := strings.TrimPrefix(firstLine(msg), "Invalid Input Error: ")
	return strings.ReplaceAll(first, f.abs, f.path)
}

func namedFile(re *regexp.Regexp, msg string, group []*file) *file {
	if m := re.FindStringSubmatch(msg); m != nil {
		name := strings.TrimSpace(m[1])
		for _, f := range group {
			if f.abs == name {
				return f
			}
		}
	}
	if len(group) == 1 {
		return group[0]
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
