package cli

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestInterspersed(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	cases := []struct{ in, want string }{
		{"etl show invoice_averages --limit 2", "etl show --limit 2 invoice_averages"},
		{"etl generate notifications --rows 1000000 --out d", "etl generate --rows 1000000 --out d notifications"},
		{"etl generate --rows=5 notifications", "etl generate --rows=5 notifications"},
		{"etl build --full-refresh --select a+", "etl build --full-refresh --select a+"},
		{"etl build --select a+ --full-refresh", "etl build --select a+ --full-refresh"},
		{"etl migrate create add_x --project-dir p", "etl migrate create --project-dir p add_x"},
		{"etl show m -- --odd", "etl show m -- --odd"},
		{"etl deliveries --project-dir p send --dry-run", "etl deliveries send --project-dir p --dry-run"},
		{"etl deliveries --project-dir p resend ab12", "etl deliveries resend --project-dir p ab12"},
		{"etl deliveries --status sent", "etl deliveries --status sent"},
		{"etl show --limit 5 m", "etl show --limit 5 m"},
		{"etl docs --project-dir p generate", "etl docs generate --project-dir p"},
		{"etl nosuch x --y", "etl nosuch x --y"},
		{"etl", "etl"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := strings.Join(interspersed(app, strings.Fields(tc.in)), " ")
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if got := interspersed(app, []string{"etl", "show", "m", "--limit"}); !slices.Equal(got, []string{"etl", "show", "--limit", "m"}) {
		t.Errorf("a trailing flag without its value: %v", got)
	}
}
