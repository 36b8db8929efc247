package cli

import (
	"strings"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "1d": 24 * time.Hour, "720h": 720 * time.Hour} {
		if got, err := parseRetention(in); err != nil || got != want {
			t.Errorf("parseRetention(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"0d", "12h", "thirty days", "30dd", "-2d", ""} {
		if _, err := parseRetention(bad); err == nil || !strings.Contains(err.Error(), "--retention") {
			t.Errorf("parseRetention(%q) = %v; want an error naming --retention", bad, err)
		}
	}
}
