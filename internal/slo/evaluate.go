package slo

import (
	"slices"
	"time"
)

// Observation is one measurement of an SLI: Good of Total events were good
// during the interval ending At. Value is the raw measure behind it (lag
// in seconds, rows, null rate) for reports and baselines; Incident marks an
// observation taken while the dataset had an open triage; Reconstructed
// one computed afterwards from the warehouse's history (dre slo
// backfill-history) rather than read live.
type Observation struct {
	At            time.Time `json:"at"`
	Good          int64     `json:"good"`
	Total         int64     `json:"total"`
	Value         float64   `json:"value"`
	Incident      bool      `json:"incident,omitempty"`
	Reconstructed bool      `json:"reconstructed,omitempty"`
}

// Objective is what an SLO promises: a Target fraction of good events
// over a rolling Window, measured every Interval.
type Objective struct {
	Target   float64       `json:"target"`
	Window   time.Duration `json:"window"`
	Interval time.Duration `json:"interval"`
}

// Burn is the burn rate over one window ending at the evaluation time.
type Burn struct {
	Window time.Duration `json:"window"`
	Rate   float64       `json:"rate"`
	Good   int64         `json:"good"`
	Total  int64         `json:"total"`
}

// Evaluation is the state of one SLO at one time.
type Evaluation struct {
	At time.Time `json:"at"`
	// SLI is the fraction of good events over the SLO window; 1 without data.
	SLI   float64 `json:"sli"`
	Good  int64   `json:"good"`
	Total int64   `json:"total"`
	// BudgetLeft is the fraction of the window's error budget not yet
	// spent: 1 untouched, 0 exhausted, negative overspent.
	BudgetLeft float64 `json:"budgetLeft"`
	// Burns holds the burn rate over every window the rules use, shortest first.
	Burns []Burn `json:"burns"`
	// Level is the loudest alert a rule calls for; Fired is that rule.
	Level Level `json:"level"`
	Fired *Rule `json:"fired,omitempty"`
}

// Exhausted reports whether the error budget is spent, which freezes risky
// operations on the dataset.
func (e Evaluation) Exhausted() bool { return e.Total > 0 && e.BudgetLeft <= 0 }

// BurnOver returns the burn rate over window, 0 when it was not computed.
func (e Evaluation) BurnOver(window time.Duration) float64 {
	for _, b := range e.Burns {
		if b.Window == window {
			return b.Rate
		}
	}
	return 0
}

// Evaluate computes the SLI, the budget left and the burn rates at time at
// from obs (in any order; those after at are ignored) and applies rules,
// which should already be scaled to the objective's interval. An
// observation counts in a window (at-w, at].
func Evaluate(obs []Observation, o Objective, rules []Rule, at time.Time) Evaluation {
	e := Evaluation{At: at, Level: None}
	e.Good, e.Total = sum(obs, at, o.Window)
	e.SLI, e.BudgetLeft = 1, 1
	if e.Total > 0 {
		e.SLI = float64(e.Good) / float64(e.Total)
		e.BudgetLeft = 1 - (1-e.SLI)/(1-o.Target)
	}
	for _, w := range windows(rules) {
		good, total := sum(obs, at, w)
		e.Burns = append(e.Burns, Burn{Window: w, Rate: burnRate(good, total, o.Target), Good: good, Total: total})
	}
	for _, r := range rules {
		if e.BurnOver(r.Long) >= r.Factor && e.BurnOver(r.Short) >= r.Factor && r.Level.Louder(e.Level) {
			e.Level, e.Fired = r.Level, &r
		}
	}
	return e
}

// sum adds up the observations in (at-window, at].
func sum(obs []Observation, at time.Time, window time.Duration) (good, total int64) {
	from := at.Add(-window)
	for _, o := range obs {
		if o.At.After(from) && !o.At.After(at) {
			good, total = good+o.Good, total+o.Total
		}
	}
	return good, total
}

// burnRate is the error rate divided by the error budget (1 - target):
// how many times faster than sustainable the budget is being spent.
func burnRate(good, total int64, target float64) float64 {
	if total == 0 || target >= 1 {
		return 0
	}
	return (float64(total-good) / float64(total)) / (1 - target)
}

// windows lists the distinct windows of rules, shortest first.
func windows(rules []Rule) []time.Duration {
	var ws []time.Duration
	for _, r := range rules {
		ws = append(ws, r.Long, r.Short)
	}
	slices.Sort(ws)
	return slices.Compact(ws)
}
