package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Day and week lengths for the d and w duration units. dre measures SLO
// windows and grace periods in calendar-free units, so a day is always 24h.
const (
	day  = 24 * time.Hour
	week = 7 * day
)

// Duration is a time.Duration written in dre.yaml as Go duration syntax
// extended with d (24h) and w (7d), for example 90m, 26h, 28d, 2w or 1d12h.
type Duration struct {
	time.Duration
}

// ParseDuration parses Go duration syntax plus the d and w units.
func ParseDuration(s string) (Duration, error) {
	bad := fmt.Errorf("invalid duration %q; write a number and a unit, like 90m, 26h or 28d", s)
	text, neg := strings.CutPrefix(strings.TrimSpace(s), "-")
	days, rest, ok := splitDays(text)
	if text == "" || !ok {
		return Duration{}, bad
	}
	total := time.Duration(days * float64(day))
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return Duration{}, bad
		}
		total += d
	}
	if neg {
		total = -total
	}
	return Duration{total}, nil
}

// durationPart matches one number and the unit after it.
var durationPart = regexp.MustCompile(`([0-9.]+)([^0-9.]*)`)

// splitDays takes the d and w components out of text, returning them as
// days and the rest for time.ParseDuration; ok is false when text is not
// a sequence of numbers and units.
func splitDays(text string) (days float64, rest string, ok bool) {
	var others strings.Builder
	covered := 0
	for _, part := range durationPart.FindAllStringSubmatch(text, -1) {
		covered += len(part[0])
		number, unit := part[1], part[2]
		if unit != "d" && unit != "w" {
			others.WriteString(part[0])
			continue
		}
		n, err := strconv.ParseFloat(number, 64)
		if err != nil {
			return 0, "", false
		}
		if unit == "w" {
			n *= 7
		}
		days += n
	}
	return days, others.String(), covered == len(text)
}

// String prints d in its shortest readable form, preferring whole days
// (28d) and larger units on ties; ParseDuration reads it back.
func (d Duration) String() string {
	if d.Duration < 0 {
		return "-" + Duration{-d.Duration}.String()
	}
	if d.Duration == 0 {
		return "0s"
	}
	best := goString(d.Duration)
	units := []struct {
		name string
		size time.Duration
	}{{"d", day}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}}
	for _, u := range units {
		// Past three digits a single unit (5405s) is shorter but harder
		// to read than the mixed form (1h30m5s).
		if n := d.Duration / u.size; d.Duration%u.size == 0 && (n < 1000 || u.size == day) {
			best = shorter(best, strconv.FormatInt(int64(n), 10)+u.name)
		}
	}
	if d.Duration > day && d.Duration%day != 0 {
		best = shorter(best, strconv.FormatInt(int64(d.Duration/day), 10)+"d"+goString(d.Duration%day))
	}
	return best
}

// goString is time.Duration.String without the zero minutes and seconds
// it always appends ("26h0m0s" becomes "26h").
func goString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// shorter returns candidate when it is strictly shorter than best.
func shorter(best, candidate string) string {
	if len(candidate) < len(best) {
		return candidate
	}
	return best
}

// MarshalText writes d as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses d with ParseDuration.
func (d *Duration) UnmarshalText(text []byte) error {
	parsed, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
