package tmpl

import (
	"bytes"
	"context"
	"testing"

	"github.com/nikolalohinski/gonja/v2/logging"
	"github.com/sirupsen/logrus"
)

// TestSilent turns gonja's tracing on as another package might and checks the
// engine still prints nothing.
func TestSilent(t *testing.T) {
	var buf bytes.Buffer
	logrus.SetOutput(&buf)
	logrus.SetLevel(logrus.TraceLevel)
	logging.SetEnabled(true)
	t.Cleanup(func() {
		logging.SetEnabled(false)
		logrus.SetLevel(logrus.InfoLevel)
	})

	e := newTestEngine(t)
	if _, err := e.Render(context.Background(), "m.sql", "{% if x %}{{ cents('a') | upper }}{% endif %}{{ 1 + 2 }}", testContext()); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 0 {
		t.Errorf("gonja logged %d bytes: %.200s", buf.Len(), buf.String())
	}
}
