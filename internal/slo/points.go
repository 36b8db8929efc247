package slo

import (
	"slices"
	"sort"
	"time"
)

// Points computes the chart point of every observation at or after from:
// the budget left over the objective's window and the burn rate over
// burnWindow, each as Evaluate would have found it at that observation.
// Earlier observations only feed the sums. Prefix sums keep it O(n log n),
// so a 28-day window of one-minute readings charts at once.
func Points(obs []Observation, o Objective, burnWindow time.Duration, from time.Time) []Point {
	obs = slices.Clone(obs)
	slices.SortFunc(obs, func(a, b Observation) int { return a.At.Compare(b.At) })
	good, total := make([]int64, len(obs)+1), make([]int64, len(obs)+1)
	for i, ob := range obs {
		good[i+1], total[i+1] = good[i]+ob.Good, total[i]+ob.Total
	}
	// over sums the observations in (at-window, at], at being obs[k].At.
	over := func(k int, window time.Duration) (int64, int64) {
		start := obs[k].At.Add(-window)
		lo := sort.Search(k+1, func(i int) bool { return obs[i].At.After(start) })
		return good[k+1] - good[lo], total[k+1] - total[lo]
	}
	var out []Point
	for k, ob := range obs {
		if ob.At.Before(from) {
			continue
		}
		p := Point{At: ob.At, BudgetLeft: 1, Good: ob.Good == ob.Total}
		if g, t := over(k, o.Window); t > 0 {
			p.BudgetLeft = 1 - (1-float64(g)/float64(t))/(1-o.Target)
		}
		g, t := over(k, burnWindow)
		p.Burn = burnRate(g, t, o.Target)
		out = append(out, p)
	}
	return out
}
