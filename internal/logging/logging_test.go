package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

const token = "xoxb-123-secret-token"

func TestNewRedactsSecretsEverywhereInALine(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		l, err := New(&buf, Options{Format: format, Secrets: []string{token}})
		if err != nil {
			t.Fatal(err)
		}
		l = l.With("preset", "Bearer "+token)
		l.Info("posting with "+token,
			"token", token,
			"err", errors.New("auth failed for "+token),
			slog.Group("slack", "header", "Authorization: "+token),
			"plain", "kept")
		out := buf.String()
		if strings.Contains(out, token) {
			t.Errorf("%s log line holds the token: %s", format, out)
		}
		if got := strings.Count(out, Redacted); got != 5 {
			t.Errorf("%s log line has %d %s marks, want 5 (message, preset, token, err, group): %s", format, got, Redacted, out)
		}
		if !strings.Contains(out, "kept") {
			t.Errorf("%s log line lost a value without secrets: %s", format, out)
		}
	}
}

func TestNewWritesJSONAtTheLevelAsked(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, Options{Format: "json", Level: "warn"})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hidden")
	l.Warn("shown", "WorkflowID", "backfill/orders")
	if out := buf.String(); strings.Contains(out, "hidden") || !strings.HasPrefix(out, `{"time":`) || !strings.Contains(out, `"WorkflowID":"backfill/orders"`) {
		t.Errorf("JSON log at warn = %q; want one JSON line with the workflow ID and no info line", out)
	}
}

func TestNewRejectsUnknownOptions(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, Options{Format: "xml"}); err == nil || !strings.Contains(err.Error(), "want text or json") {
		t.Errorf("format xml: err = %v; want one naming the formats", err)
	}
	if _, err := New(&bytes.Buffer{}, Options{Level: "loud"}); err == nil || !strings.Contains(err.Error(), "want debug, info") {
		t.Errorf("level loud: err = %v; want one naming the levels", err)
	}
}

func TestShortValuesAreNotRedacted(t *testing.T) {
	var buf bytes.Buffer
	l, _ := New(&buf, Options{Secrets: []string{"on", ""}})
	l.Info("turned on")
	if strings.Contains(buf.String(), Redacted) {
		t.Errorf("a 2-letter value was redacted: %s", buf.String())
	}
}
