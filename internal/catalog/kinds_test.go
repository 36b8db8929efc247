package catalog

import (
	"testing"
	"time"
)

func TestGranularityTruncateNext(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		g          Granularity
		in         time.Time
		start, nxt string
	}{
		{Hour, time.Date(2026, 11, 23, 14, 35, 10, 5, time.UTC), "2026-11-23T14:00:00Z", "2026-11-23T15:00:00Z"},
		{Hour, time.Date(2026, 11, 23, 0, 30, 0, 0, berlin), "2026-11-22T23:00:00Z", "2026-11-23T00:00:00Z"},
		{Day, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
		{Day, time.Date(2026, 11, 23, 0, 30, 0, 0, berlin), "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z"},
		{Month, time.Date(2028, 1, 31, 12, 0, 0, 0, time.UTC), "2028-01-01T00:00:00Z", "2028-02-01T00:00:00Z"},
		{Month, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
		{Month, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		if got := tt.g.Truncate(tt.in).Format(time.RFC3339); got != tt.start {
			t.Errorf("%s.Truncate(%v) = %s, want %s", tt.g, tt.in, got, tt.start)
		}
		if got := tt.g.Next(tt.in).Format(time.RFC3339); got != tt.nxt {
			t.Errorf("%s.Next(%v) = %s, want %s", tt.g, tt.in, got, tt.nxt)
		}
	}
}

func TestGranularityInvalidPanics(t *testing.T) {
	for _, g := range []Granularity{"", "week", "Day"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Granularity(%q).Truncate did not panic", g)
				}
			}()
			g.Truncate(time.Now())
		}()
	}
}

func TestValidKinds(t *testing.T) {
	tests := []struct {
		name  string
		valid func() bool
		want  bool
	}{
		{"hour", Hour.Valid, true},
		{"month", Month.Valid, true},
		{"week", Granularity("week").Valid, false},
		{"freshness", Freshness.Valid, true},
		{"custom", Custom.Valid, true},
		{"latency", SLOKind("latency").Valid, false},
		{"national_id", PIINationalID.Valid, true},
		{"ssn", PIIKind("ssn").Valid, false},
		{"archive", FinalArchive.Valid, true},
		{"truncate", FinalAction("truncate").Valid, false},
		{"empty kind", SLOKind("").Valid, false},
	}
	for _, tt := range tests {
		if got := tt.valid(); got != tt.want {
			t.Errorf("%s: Valid() = %v, want %v", tt.name, got, tt.want)
		}
	}
	if n := len(PIIKinds()); n != 10 {
		t.Errorf("len(PIIKinds()) = %d, want 10", n)
	}
}
