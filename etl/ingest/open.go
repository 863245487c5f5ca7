package ingest

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// textFile is a landing file opened for reading its text, decompressed the
// way DuckDB decompresses it: by the .gz extension.
type textFile struct {
	*bufio.Reader
	closers []io.Closer
}

func (t *textFile) Close() error {
	var first error
	for i := len(t.closers) - 1; i >= 0; i-- {
		if err := t.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// openText opens a landing file as UTF-8 text: decompressed by its .gz
// extension, then decoded from enc (see decoders).
func openText(path, enc string) (*textFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	t := &textFile{closers: []io.Closer{fh}}
	var r io.Reader = fh
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			fh.Close()
			return nil, err
		}
		t.closers = append(t.closers, zr)
		r = zr
	}
	t.Reader = bufio.NewReaderSize(decoded(r, enc), 64<<10)
	return t, nil
}

// readText returns a file's whole decompressed content; only the error path
// uses it, to find the line of a problem DuckDB reported.
func readText(path, enc string) ([]byte, error) {
	t, err := openText(path, enc)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return io.ReadAll(t)
}

// isGzipProblem tells a broken .gz file from an I/O failure.
func isGzipProblem(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &corrupt)
}

func skipBOM(r *bufio.Reader) {
	if b, err := r.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = r.Discard(len(utf8BOM))
	}
}
