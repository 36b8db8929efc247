package catalog

import (
	"fmt"
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
	var days float64
	rest, ok := splitDays(text, &days)
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

// splitDays removes the d and w components from text, adding them to days,
// and returns what is left for time.ParseDuration; ok is false when text
// is not a sequence of numbers and units.
func splitDays(text string, days *float64) (rest string, ok bool) {
	isNum := func(r rune) bool { return r >= '0' && r <= '9' || r == '.' }
	var others strings.Builder
	for text != "" {
		i := strings.IndexFunc(text, func(r rune) bool { return !isNum(r) })
		if i < 0 { // a bare number such as "0": time.ParseDuration decides
			others.WriteString(text)
			break
		}
		if i == 0 {
			return "", false
		}
		j := len(text)
		if k := strings.IndexFunc(text[i:], isNum); k >= 0 {
			j = i + k
		}
		num, unit := text[:i], text[i:j]
		if unit == "d" || unit == "w" {
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return "", false
			}
			if unit == "w" {
				n *= 7
			}
			*days += n
		} else {
			others.WriteString(num + unit)
		}
		text = text[j:]
	}
	return others.String(), true
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
