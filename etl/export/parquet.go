package export

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"etlrunner/etl/warehouse"
)

// verifyParquet opens the file independently of DuckDB and checks its
// top-level columns (names and logical types) against expect.
func verifyParquet(path string, expect []warehouse.Column) (int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return 0, err
	}
	pf, err := parquet.OpenFile(fh, st.Size())
	if err != nil {
		return 0, fmt.Errorf("open parquet: %w", err)
	}
	got := pf.Root().Columns()
	names := make([]string, len(got))
	for i, c := range got {
		names[i] = c.Name()
	}
	if err := compareNames(names, colNames(expect)); err != nil {
		return 0, err
	}
	for i, c := range got {
		want := duckdbKind(expect[i].Type)
		if want == "" {
			continue // a type this check does not know; the name matched
		}
		if have := parquetKind(c); have != want {
			return 0, fmt.Errorf("column %q has type %s, expected %s (from %s)", c.Name(), have, want, expect[i].Type)
		}
	}
	return pf.NumRows(), nil
}

// parquetKind names a top-level parquet column's logical type in the same
// vocabulary as duckdbKind.
func parquetKind(c *parquet.Column) string {
	if lt := c.Type().LogicalType(); lt != nil {
		switch v := lt.Value.(type) {
		case *format.StringType, *format.EnumType:
			return "string"
		case *format.JsonType:
			return "json"
		case *format.UUIDType:
			return "uuid"
		case *format.DecimalType:
			return fmt.Sprintf("decimal(%d,%d)", v.Precision, v.Scale)
		case *format.DateType:
			return "date"
		case *format.TimeType:
			return "time"
		case *format.TimestampType:
			if v.IsAdjustedToUTC {
				return "timestamptz"
			}
			return "timestamp"
		case *format.IntType:
			prefix := "int"
			if !v.IsSigned {
				prefix = "uint"
			}
			return fmt.Sprintf("%s%d", prefix, v.BitWidth)
		case *format.MapType:
			return "map"
		case *format.ListType:
			return "list"
		}
	}
	if !c.Leaf() {
		return "struct"
	}
	switch c.Type().Kind() {
	case parquet.Boolean:
		return "boolean"
	case parquet.Int32:
		return "int32"
	case parquet.Int64:
		return "int64"
	case parquet.Float:
		return "float"
	case parquet.Double:
		return "double"
	case parquet.ByteArray:
		return "binary"
	}
	return strings.ToLower(c.Type().Kind().String())
}

var decimalType = regexp.MustCompile(`^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$`)

// duckdbKind is the parquet logical type DuckDB writes for a column type,
// or "" when the check should not judge it.
func duckdbKind(typ string) string {
	t := strings.ToUpper(strings.TrimSpace(typ))
	if m := decimalType.FindStringSubmatch(t); m != nil {
		return "decimal(" + m[1] + "," + m[2] + ")"
	}
	switch {
	case strings.HasSuffix(t, "]"): // checked first: MAP(...)[] is a list
		return "list"
	case strings.HasPrefix(t, "MAP("):
		return "map"
	case strings.HasPrefix(t, "STRUCT("), strings.HasPrefix(t, "UNION("):
		return "struct"
	case strings.HasPrefix(t, "ENUM("):
		return "string"
	case t == "TIMESTAMP" || t == "DATETIME" || strings.HasPrefix(t, "TIMESTAMP_"):
		return "timestamp"
	}
	kinds := map[string]string{
		"VARCHAR": "string", "JSON": "json", "UUID": "uuid", "DATE": "date", "TIME": "time",
		"TIMESTAMP WITH TIME ZONE": "timestamptz", "TIMESTAMPTZ": "timestamptz",
		"BOOLEAN": "boolean", "DOUBLE": "double", "FLOAT": "float", "REAL": "float",
		"TINYINT": "int8", "SMALLINT": "int16", "INTEGER": "int32", "BIGINT": "int64",
		"UTINYINT": "uint8", "USMALLINT": "uint16", "UINTEGER": "uint32", "UBIGINT": "uint64",
		"HUGEINT": "double", "UHUGEINT": "double", "BLOB": "binary",
	}
	return kinds[t]
}
