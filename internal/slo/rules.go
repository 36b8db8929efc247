package slo

import (
	"fmt"
	"time"
)

// Level is how loudly a burn must be announced.
type Level string

// Alert levels, from quietest to loudest.
const (
	None   Level = "ok"
	Ticket Level = "ticket"
	Page   Level = "page"
)

// rank orders levels so that the loudest of several can be kept.
func (l Level) rank() int {
	switch l {
	case Page:
		return 2
	case Ticket:
		return 1
	}
	return 0
}

// Number is the level as the dre_slo_alert_level gauge shows it: 0 ok,
// 1 ticket, 2 page.
func (l Level) Number() float64 { return float64(l.rank()) }

// Louder reports whether l calls for more attention than other.
func (l Level) Louder(other Level) bool { return l.rank() > other.rank() }

// Rule fires at Level when the burn rate is at least Factor over both the
// Long and the Short window.
type Rule struct {
	Level  Level         `json:"level"`
	Long   time.Duration `json:"long"`
	Short  time.Duration `json:"short"`
	Factor float64       `json:"factor"`
}

// String names the rule the way alerts quote it: "page: 14.4× over 1h and 5m".
func (r Rule) String() string {
	return fmt.Sprintf("%s: %g× over %s and %s", r.Level, r.Factor, short(r.Long), short(r.Short))
}

// WorkbookRules are the SRE workbook's recommended multi-window,
// multi-burn-rate alerts for a 99.9%-style objective over about a month.
var WorkbookRules = []Rule{
	{Level: Page, Long: time.Hour, Short: 5 * time.Minute, Factor: 14.4},
	{Level: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, Factor: 6},
	{Level: Ticket, Long: 72 * time.Hour, Short: 6 * time.Hour, Factor: 1},
}

// ScaleRules rounds every window of rules up to a whole number of
// evaluation intervals. Observations arrive once per interval, so a window
// shorter than one interval would hold no complete observation and a
// window between two multiples would hold a varying number of them.
func ScaleRules(rules []Rule, interval time.Duration) []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		r.Long, r.Short = roundUp(r.Long, interval), roundUp(r.Short, interval)
		out[i] = r
	}
	return out
}

// roundUp is the smallest positive multiple of step that is at least d.
func roundUp(d, step time.Duration) time.Duration {
	if step <= 0 {
		return d
	}
	n := (d + step - 1) / step
	return max(n, 1) * step
}

// WindowLabel is a window as the window label of dre_slo_burn_rate shows
// it, which is also a valid Prometheus duration: 5m, 1h, 72h, 1h30m.
func WindowLabel(d time.Duration) string { return short(d) }

// short prints a duration without zero units: 1h, 30m, 72h, 1h30m.
func short(d time.Duration) string {
	s := d.String()
	for _, suffix := range []string{"m0s", "h0m"} {
		if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
			s = s[:len(s)-2]
		}
	}
	return s
}
