package gateway

import (
	"testing"
	"time"
)

func TestMemorySeenExpiresAndForgets(t *testing.T) {
	clock := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	m := newMemorySeen()
	m.now = func() time.Time { return clock }
	check := func(key string, want bool) {
		t.Helper()
		if got, err := m.FirstUse(t.Context(), key, time.Minute); err != nil || got != want {
			t.Fatalf("FirstUse(%q) at %s = %v, %v; want %v", key, clock.Format(time.TimeOnly), got, err, want)
		}
	}
	check("a", true)
	check("a", false)
	clock = clock.Add(59 * time.Second)
	check("a", false)
	clock = clock.Add(2 * time.Second) // past the first use's minute
	check("a", true)
	_ = m.Forget(t.Context(), "a")
	check("a", true)
	clock = clock.Add(time.Hour) // the sweep drops what expired
	check("b", true)
	if len(m.expires) != 1 {
		t.Fatalf("%d keys kept after the sweep, want only b", len(m.expires))
	}
}
