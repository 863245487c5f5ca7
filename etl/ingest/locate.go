package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// These run only after DuckDB rejected a file, to say on which line.

// csvPhysicalLine maps DuckDB's CSV line number, which advances on every
// line break outside quotes, to the line in the file. The records before
// the reported one parsed fine, so tracking quotes up to it is reliable.
func csvPhysicalLine(data []byte, duckLine int) int {
	physical, logical := 1, 1
	quoted := false
	for _, b := range data {
		if logical >= duckLine {
			break
		}
		switch b {
		case '"':
			quoted = !quoted
		case '\n':
			physical++
			if !quoted {
				logical++
			}
		}
	}
	return physical
}

// csvProblemLine is the fallback when DuckDB names no line: the line of the
// first record Go's strict reader rejects, else 1.
func csvProblemLine(data []byte, width int) int {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = width
	r.ReuseRecord = true
	for {
		_, err := r.Read()
		if err == nil {
			continue
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return pe.StartLine
		}
		return 1
	}
}

// jsonProblemLine finds the first line that is not valid JSON, not valid
// UTF-8, or not an object where a record belongs.
func jsonProblemLine(data []byte, array bool) (int, bool) {
	if array {
		return jsonArrayProblem(data)
	}
	line := 0
	for rest := data; len(rest) > 0; {
		line++
		var l []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			l, rest = rest, nil
		}
		t := bytes.TrimSpace(l)
		if len(t) == 0 {
			continue
		}
		if t[0] != '{' || !utf8.Valid(t) || !json.Valid(t) {
			return line, true
		}
	}
	return 0, false
}

func jsonArrayProblem(data []byte) (int, bool) {
	body := bytes.TrimPrefix(data, utf8BOM)
	shift := len(data) - len(body)
	at := func(off int64) (int, bool) { return lineAt(data, shift+int(off)), true }
	dec := json.NewDecoder(bytes.NewReader(body))
	fail := func(err error) (int, bool) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return at(max(se.Offset-1, 0))
		}
		// Cut short: blame the last line that has any content.
		return at(int64(len(bytes.TrimRight(body, " \t\r\n"))))
	}
	if tok, err := dec.Token(); err != nil {
		return fail(err)
	} else if d, ok := tok.(json.Delim); !ok || d != '[' {
		return at(0)
	}
	for dec.More() {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err)
		}
		start += int64(bytes.IndexAny(body[start:], "{[\"-0123456789tfn"))
		if raw[0] != '{' || !utf8.Valid(raw) {
			return at(start)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	rest := body[dec.InputOffset():]
	if i := bytes.IndexFunc(rest, func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) }); i >= 0 {
		return at(dec.InputOffset() + int64(i))
	}
	return 0, false
}

// lineAt is the 1-based line holding byte offset off.
func lineAt(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}
