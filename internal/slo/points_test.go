package slo

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestPointsAgreeWithEvaluate: every point is what Evaluate finds at that
// observation, over a series with gaps and partial totals.
func TestPointsAgreeWithEvaluate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	o := Objective{Target: 0.95, Window: 6 * time.Hour, Interval: 10 * time.Minute}
	var obs []Observation
	for i := range 200 {
		if r.IntN(10) == 0 {
			continue // a missed interval
		}
		total := int64(1 + r.IntN(3))
		obs = append(obs, Observation{At: end.Add(-time.Duration(i) * o.Interval), Good: r.Int64N(total + 1), Total: total})
	}
	from := end.Add(-12 * time.Hour)
	pts := Points(obs, o, time.Hour, from)
	want := 0
	for _, ob := range obs {
		if !ob.At.Before(from) {
			want++
		}
	}
	if len(pts) != want {
		t.Fatalf("%d points, want one per observation since %s (%d)", len(pts), from, want)
	}
	rules := []Rule{{Level: Page, Long: time.Hour, Short: time.Hour, Factor: 1}}
	for i, p := range pts {
		e := Evaluate(obs, o, rules, p.At)
		if math.Abs(p.BudgetLeft-e.BudgetLeft) > 1e-9 || math.Abs(p.Burn-e.BurnOver(time.Hour)) > 1e-9 {
			t.Fatalf("point %d at %s: budget %v burn %v; Evaluate says %v and %v", i, p.At, p.BudgetLeft, p.Burn, e.BudgetLeft, e.BurnOver(time.Hour))
		}
		if i > 0 && !pts[i-1].At.Before(p.At) {
			t.Fatalf("points out of order at %d", i)
		}
	}
}
