package ingest

import (
	"io"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Encodings a CSV seed may declare; DuckDB's read_csv decodes each natively.
const (
	EncodingUTF8   = "utf-8"
	EncodingLatin1 = "latin-1"
	EncodingUTF16  = "utf-16"
)

// decoders turn a file's text into UTF-8 for what Go reads of it (the
// header, the line of an error), the way DuckDB decodes it for the load.
// UTF-16 follows a byte order mark and is little-endian without one.
var decoders = map[string]encoding.Encoding{
	"":             nil,
	EncodingUTF8:   nil,
	EncodingLatin1: charmap.ISO8859_1,
	EncodingUTF16:  unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
}

// decoded wraps r so that it yields UTF-8 text.
func decoded(r io.Reader, enc string) io.Reader {
	if e := decoders[enc]; e != nil {
		return e.NewDecoder().Reader(r)
	}
	return r
}

// duckEncoding is the read_csv option of enc; "" for DuckDB's default.
func duckEncoding(enc string) string {
	if enc == EncodingLatin1 || enc == EncodingUTF16 {
		return enc
	}
	return ""
}
