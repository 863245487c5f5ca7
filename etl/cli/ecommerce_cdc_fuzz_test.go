package cli

import (
	"database/sql"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEcommerceCDCBase64Decimal holds the SQL decoder of Debezium's precise
// decimals against Go's reading of the encoding: the base64 of any bytes
// decodes to their big-endian two's complement integer at scale 2 (NULL for
// no bytes, more than 16, or a value beyond DECIMAL(38)); and no text at all
// makes the query fail, since one bad value must not stop a build.
func FuzzEcommerceCDCBase64Decimal(f *testing.F) {
	for _, s := range []struct {
		raw  []byte
		text string
	}{
		{nil, ""},
		{[]byte{0}, "#N/A"},
		{[]byte{0x7f}, "AB="},
		{[]byte{0x80}, "A==="},
		{[]byte{0xff, 0x00}, " ARMyI/A= "},
		{[]byte{0x01, 0x13, 0x32, 0x23, 0xf0}, "ARMy\nI/A="},
		{[]byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "////"},
		{[]byte{0x4b, 0x3b, 0x4c, 0xa8, 0x5a, 0x86, 0xc4, 0x7a, 0x09, 0x8a, 0x22, 0x3f, 0xff, 0xff, 0xff, 0xff}, "12.50"},
		{make([]byte, 17), "AQ=="},
	} {
		f.Add(s.raw, s.text)
	}
	rendered := macroSQL(f, "SELECT CAST({{ ecommerce_cdc_base64_decimal('v', 2) }} AS VARCHAR) FROM (SELECT CAST(? AS VARCHAR) AS v)", nil)
	db := memoryDB(f)
	f.Fuzz(func(t *testing.T, raw []byte, text string) {
		var got sql.NullString
		encoded := base64.StdEncoding.EncodeToString(raw)
		if err := db.QueryRow(rendered, encoded).Scan(&got); err != nil {
			t.Fatalf("%q: %v", encoded, err)
		}
		if want, ok := cdcTwosComplement(raw); got.Valid != ok || got.String != want {
			t.Errorf("%q (% x) decodes to %v, want %q (valid %v)", encoded, raw, got, want, ok)
		}
		if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
			return // landing files are UTF-8 text without NUL
		}
		if err := db.QueryRow(rendered, text).Scan(&got); err != nil {
			t.Fatalf("%q makes the query fail: %v", text, err)
		}
	})
}

// cdcTwosComplement reads raw as a big-endian two's complement integer and
// writes it at scale 2, as DuckDB writes a DECIMAL(38, 2).
func cdcTwosComplement(raw []byte) (string, bool) {
	if len(raw) == 0 || len(raw) > 16 {
		return "", false
	}
	v := new(big.Int).SetBytes(raw)
	if raw[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(raw))))
	}
	sign := ""
	if v.Sign() < 0 {
		sign = "-"
		v.Neg(v)
	}
	if v.Cmp(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)) >= 0 {
		return "", false
	}
	digits := v.String()
	for len(digits) < 3 {
		digits = "0" + digits
	}
	return sign + digits[:len(digits)-2] + "." + digits[len(digits)-2:], true
}
