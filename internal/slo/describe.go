package slo

import (
	"fmt"
	"strings"
	"time"
)

// Percent prints a fraction as a percentage with the precision SLOs need:
// 99.9%, 87.25%, -12.5%.
func Percent(f float64) string {
	s := fmt.Sprintf("%.2f", 100*f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// BurnSummary lists burn rates shortest window first: "5m 100×, 1h 16.7×".
func BurnSummary(burns []Burn) string {
	parts := make([]string, len(burns))
	for i, b := range burns {
		parts[i] = fmt.Sprintf("%s %.3g×", short(b.Window), b.Rate)
	}
	return strings.Join(parts, ", ")
}

// Evidence is the text an alert carries: which SLO, which rule fired, the
// burn rates, the budget left and the latest reading. It is built with
// Sprintf, not an io.Writer, so that workflows may call it.
func Evidence(name, kind string, o Objective, e Evaluation, latest string) string {
	s := fmt.Sprintf("SLO %s (%s, objective %s over %s) is burning its error budget", name, kind, Percent(o.Target), days(o.Window))
	if e.Fired != nil {
		s += fmt.Sprintf(" (%s)", e.Fired)
	}
	s += fmt.Sprintf(". Burn rates: %s. SLI %s, budget left %s.", BurnSummary(e.Burns), Percent(e.SLI), Percent(e.BudgetLeft))
	if latest != "" {
		s += " Latest reading: " + latest + "."
	}
	return s
}

// days prints whole-day windows in days (28d), others as durations.
func days(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return short(d)
}
