package slo

import (
	"math"
	"testing"
	"time"
)

var end = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// series returns n binary observations one interval apart, the last at
// end; bad(i) says whether observation i (0 is the oldest) was bad.
func series(n int, interval time.Duration, bad func(i int) bool) []Observation {
	obs := make([]Observation, n)
	for i := range obs {
		obs[i] = Observation{At: end.Add(-time.Duration(n-1-i) * interval), Good: 1, Total: 1}
		if bad(i) {
			obs[i].Good = 0
		}
	}
	return obs
}

// lastBad marks the last k of n observations bad.
func lastBad(n, k int) func(int) bool { return func(i int) bool { return i >= n-k } }

func TestEvaluateAlertsExactlyAsTheWorkbookSays(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name      string
		interval  time.Duration
		n         int
		bad       func(int) bool
		wantLevel Level
		wantRule  string // "" when nothing fires
	}{
		{"all good", 5 * time.Minute, 864, func(int) bool { return false }, None, ""},
		{"hour-long outage pages on the fast rule", 5 * time.Minute, 864, lastBad(864, 12), Page, "page: 14.4× over 1h and 5m"},
		{"recovered outage stops the page", 5 * time.Minute, 864, func(i int) bool { return i == 861 || i == 862 }, None, ""},
		// 9 of 60 one-minute slots bad is a 15× burn over 1h; 8 is 13.3×.
		{"just over 14.4× pages", time.Minute, 4320, lastBad(4320, 9), Page, "page: 14.4× over 1h and 5m"},
		{"just under 14.4× does not page", time.Minute, 4320, lastBad(4320, 8), None, ""},
		// One slot an hour bad for six hours, the latest just now: 8.3× over
		// 6h and 1h (below 14.4×), 16.7× over 30m.
		{"steady 8× burn pages on the slow rule", 5 * time.Minute, 864, func(i int) bool { return i >= 864-72 && i%12 == 11 }, Page, "page: 6× over 6h and 30m"},
		// One slot in twenty bad for three days: a 5× burn, below both page factors.
		{"steady 5× burn opens a ticket", 5 * time.Minute, 864, func(i int) bool { return i%20 == 3 }, Ticket, "ticket: 1× over 72h and 6h"},
		{"coarse interval scales the windows and still pages", time.Hour, 72, lastBad(72, 1), Page, "page: 14.4× over 1h and 1h"},
		// The bad slot is 3h old: the 3h short windows have cleared, the
		// 6h one has not, so only the ticket holds.
		{"coarse interval, ticket after the page clears", 3 * time.Hour, 24, func(i int) bool { return i == 22 }, Ticket, "ticket: 1× over 72h and 6h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Objective{Target: 0.99, Window: 28 * day, Interval: tt.interval}
			e := Evaluate(series(tt.n, tt.interval, tt.bad), o, ScaleRules(WorkbookRules, tt.interval), end)
			rule := ""
			if e.Fired != nil {
				rule = e.Fired.String()
			}
			if e.Level != tt.wantLevel || rule != tt.wantRule {
				t.Errorf("Evaluate = level %s by %q, want %s by %q (burns %+v)", e.Level, rule, tt.wantLevel, tt.wantRule, e.Burns)
			}
		})
	}
}

func TestEvaluateBurnRatesAndBudget(t *testing.T) {
	o := Objective{Target: 0.99, Window: 28 * 24 * time.Hour, Interval: 10 * time.Minute}
	n := 4032 // 28 days of 10-minute slots
	// 40 bad slots a week ago: the budget (1% of 4032 = 40.32) is almost spent.
	spent := func(k int) func(int) bool { return func(i int) bool { return i >= 2000 && i < 2000+k } }
	e := Evaluate(series(n, o.Interval, spent(40)), o, ScaleRules(WorkbookRules, o.Interval), end)
	if want := 1 - (40.0/4032)/0.01; math.Abs(e.BudgetLeft-want) > 1e-9 || e.Exhausted() {
		t.Errorf("40 bad of 4032: budget left %v, exhausted %v; want %v, not exhausted", e.BudgetLeft, e.Exhausted(), want)
	}
	if e.Level != None || e.BurnOver(time.Hour) != 0 {
		t.Errorf("old errors must not alert: level %s, 1h burn %v", e.Level, e.BurnOver(time.Hour))
	}
	e = Evaluate(series(n, o.Interval, spent(41)), o, ScaleRules(WorkbookRules, o.Interval), end)
	if !e.Exhausted() || e.BudgetLeft >= 0 {
		t.Errorf("41 bad of 4032: budget left %v, want below 0 and exhausted", e.BudgetLeft)
	}
	e = Evaluate(series(n, o.Interval, lastBad(n, 3)), o, ScaleRules(WorkbookRules, o.Interval), end)
	// 3 of the 6 slots of the last hour: error rate 0.5, burn 50×.
	if got := e.BurnOver(time.Hour); math.Abs(got-50) > 1e-9 {
		t.Errorf("1h burn = %v, want 50", got)
	}
	if got := e.BurnOver(10 * time.Minute); math.Abs(got-100) > 1e-9 {
		t.Errorf("the 5m window scaled to 10m: burn = %v, want 100", got)
	}
}

func TestEvaluateWindowEdges(t *testing.T) {
	o := Objective{Target: 0.9, Window: time.Hour, Interval: time.Minute}
	obs := []Observation{
		{At: end.Add(-time.Hour), Good: 0, Total: 1},  // exactly a window ago: out
		{At: end.Add(time.Minute), Good: 0, Total: 1}, // after the evaluation: out
		{At: end, Good: 3, Total: 4},
	}
	e := Evaluate(obs, o, nil, end)
	if e.Good != 3 || e.Total != 4 || e.SLI != 0.75 {
		t.Errorf("Evaluate counted %d/%d (SLI %v), want 3/4 (0.75)", e.Good, e.Total, e.SLI)
	}
	if e := Evaluate(nil, o, WorkbookRules, end); e.SLI != 1 || e.BudgetLeft != 1 || e.Exhausted() || e.Level != None {
		t.Errorf("no data: %+v, want SLI 1, budget 1, not exhausted, no alert", e)
	}
}

func TestScaleRules(t *testing.T) {
	got := ScaleRules(WorkbookRules, 10*time.Minute)
	want := []time.Duration{time.Hour, 10 * time.Minute, 6 * time.Hour, 30 * time.Minute, 72 * time.Hour, 6 * time.Hour}
	for i, r := range got {
		if r.Long != want[2*i] || r.Short != want[2*i+1] {
			t.Errorf("rule %d scaled to 10m = %s, want windows %s and %s", i, r, want[2*i], want[2*i+1])
		}
	}
	if got := ScaleRules(WorkbookRules, 7*time.Hour)[2]; got.Long != 77*time.Hour || got.Short != 7*time.Hour {
		t.Errorf("ticket rule scaled to 7h = %s, want 77h and 7h", got)
	}
	if WorkbookRules[0].Short != 5*time.Minute {
		t.Error("ScaleRules changed WorkbookRules in place")
	}
}
