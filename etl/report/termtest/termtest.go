// Package termtest plays out terminal output for tests: what a user would
// see on the screen once a stream of text and cursor codes has been
// written, for the codes the live progress lines use.
package termtest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Codes matches one CSI code with an optional count.
var Codes = regexp.MustCompile(`\x1b\[([0-9]*)([A-Za-z])`)

// Screen returns the lines left on a terminal of unlimited size after out
// was written. It knows cursor up (A) and erase down (J); any other code
// is an error.
func Screen(out string) (string, error) {
	var rows [][]rune
	row, col := 0, 0
	for len(out) > 0 {
		if loc := Codes.FindStringSubmatchIndex(out); loc != nil && loc[0] == 0 {
			n, _ := strconv.Atoi(out[loc[2]:loc[3]])
			switch out[loc[4]:loc[5]] {
			case "A":
				row = max(row-max(n, 1), 0)
			case "J":
				if row < len(rows) {
					rows[row] = rows[row][:min(col, len(rows[row]))]
					rows = rows[:row+1]
				}
			default:
				return "", fmt.Errorf("unexpected escape code %q", out[:loc[1]])
			}
			out = out[loc[1]:]
			continue
		}
		r, n := utf8.DecodeRuneInString(out)
		out = out[n:]
		for len(rows) <= row {
			rows = append(rows, nil)
		}
		switch r {
		case '\n':
			row, col = row+1, 0
		case '\r':
			col = 0
		case 0x1b:
			return "", fmt.Errorf("unexpected escape before %q", out)
		default:
			for len(rows[row]) <= col {
				rows[row] = append(rows[row], ' ')
			}
			rows[row][col] = r
			col++
		}
	}
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = string(r)
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n", nil
}
