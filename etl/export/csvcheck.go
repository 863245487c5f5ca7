package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"etlrunner/etl/warehouse"
)

// The check of a staged CSV file, instead of reading it back with DuckDB
// (which parsed every value of every row: as long as writing it). One pass
// over the bytes in Go, which also computes the file's sha256, counts the
// record terminators and the field separators outside quoted values and
// takes the header record apart.
//
// Why counting newlines is sound here: the writer's options are fixed
// (csv.go: QUOTE and ESCAPE '"', NEW_LINE '\n'), and DuckDB's CSV writer
// quotes every value that holds the delimiter, a quote or a line break,
// doubling the quotes inside. Outside quotes, then, a '\n' ends a record
// and nothing else; inside quotes it is data. A doubled quote toggles the
// quoted state twice, so a scan that only flips state at each '"' knows at
// every byte whether it is inside a value. The file must end with a
// terminator outside quotes; it then holds exactly (terminators - 1)
// records after the header, which must equal the row count the COPY itself
// returned. The separators outside quotes must number (columns - 1) for
// every record, the header included: a record that lost or gained a field
// shows there unless another one makes up for it exactly. What it does not
// prove is the text of each value; neither did the old read-back, which
// read every value as text.

// csvStats is what one pass over a CSV file found.
type csvStats struct {
	sha256  string
	bytes   int64
	records int64 // data records, the header not counted
	seps    int64 // delimiters outside quoted values
	header  []string
}

// maxCSVHeader bounds the header record the check reads back.
const maxCSVHeader = 1 << 20

func scanCSV(path string) (csvStats, error) {
	fh, err := os.Open(path)
	if err != nil {
		return csvStats{}, err
	}
	defer fh.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var (
		st       csvStats
		inQuote  bool
		lines    int64
		headEnd  int64 = -1 // offset of the header's terminator
		last     byte
		pos      int64
		scanSpan = func(span []byte, at int64) {
			n := int64(bytes.Count(span, []byte{'\n'}))
			if n > 0 && headEnd < 0 {
				headEnd = at + int64(bytes.IndexByte(span, '\n'))
			}
			lines += n
			st.seps += int64(bytes.Count(span, []byte{','}))
		}
	)
	for {
		n, err := fh.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			for i := 0; i < len(chunk); {
				j := bytes.IndexByte(chunk[i:], '"')
				if inQuote {
					if j < 0 {
						break
					}
					inQuote, i = false, i+j+1
					continue
				}
				if j < 0 {
					scanSpan(chunk[i:], pos+int64(i))
					break
				}
				scanSpan(chunk[i:i+j], pos+int64(i))
				inQuote, i = true, i+j+1
			}
			last, pos = chunk[n-1], pos+int64(n)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return csvStats{}, err
		}
	}
	switch {
	case pos == 0:
		return csvStats{}, errors.New("file is empty, not even a header")
	case inQuote:
		return csvStats{}, errors.New("file ends inside a quoted value")
	case last != '\n':
		return csvStats{}, errors.New("file does not end with a line break: its last record is cut")
	case headEnd > maxCSVHeader:
		return csvStats{}, fmt.Errorf("header record is longer than %d bytes", maxCSVHeader)
	}
	head := make([]byte, headEnd)
	if _, err := fh.ReadAt(head, 0); err != nil {
		return csvStats{}, fmt.Errorf("read header: %w", err)
	}
	r := csv.NewReader(bytes.NewReader(head))
	r.FieldsPerRecord = -1
	if st.header, err = r.Read(); err != nil {
		return csvStats{}, fmt.Errorf("header: %w", err)
	}
	st.sha256, st.bytes, st.records = hex.EncodeToString(h.Sum(nil)), pos, lines-1
	return st, nil
}

// check compares what scanCSV found with the columns the file should have.
func (st csvStats) check(expect []warehouse.Column) error {
	if err := compareNames(st.header, colNames(expect)); err != nil {
		return err
	}
	if want := int64(len(expect)-1) * (st.records + 1); st.seps != want {
		return fmt.Errorf("file has %d field separators outside quotes, %d records of %d fields need %d", st.seps, st.records+1, len(expect), want)
	}
	return nil
}
