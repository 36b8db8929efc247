package slo

import (
	"strings"
	"testing"
	"time"
)

func TestEvidenceNamesTheRuleTheBurnsAndTheBudget(t *testing.T) {
	o := Objective{Target: 0.99, Window: 28 * 24 * time.Hour, Interval: 5 * time.Minute}
	e := Evaluate(series(24, 5*time.Minute, lastBad(24, 12)), o, WorkbookRules, end)
	got := Evidence("orders-fresh", "freshness", o, e, "newest loaded_at is 3h old")
	for _, want := range []string{
		"SLO orders-fresh (freshness, objective 99% over 28d)",
		"(page: 14.4× over 1h and 5m)",
		"5m 100×, 30m 100×, 1h 100×, 6h 50×, 72h 50×",
		"SLI 50%, budget left -4900%",
		"Latest reading: newest loaded_at is 3h old.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Evidence lacks %q:\n%s", want, got)
		}
	}
}

func TestPercent(t *testing.T) {
	for in, want := range map[float64]string{0.99: "99%", 0.999: "99.9%", 0.8725: "87.25%", -0.125: "-12.5%", 1: "100%", 0: "0%"} {
		if got := Percent(in); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}
