package pii

import (
	"net/netip"
	"slices"
	"strings"
	"time"
)

// ssnDetector finds US social security numbers.
type ssnDetector struct{}

func (ssnDetector) Kind() Kind { return SSN }

// Score accepts AAA-GG-SSSS (or with spaces) outside the ranges the SSA
// never assigns: area 000, 666 and 900-999, group 00, serial 0000. Nine
// bare digits are any ID, so they match only in a column named like one.
func (ssnDetector) Score(column, value string) float64 {
	v := strings.TrimSpace(value)
	groups := digitGroups(v)
	formatted := len(groups) == 3 && len(groups[0]) == 3 && len(groups[1]) == 2 && len(groups[2]) == 4 &&
		(v == strings.Join(groups, "-") || v == strings.Join(groups, " "))
	bare := len(groups) == 1 && len(v) == 9 && groups[0] == v
	if !formatted && !bare {
		return 0
	}
	d := onlyDigits(v)
	area, group, serial := atoi(d[:3]), atoi(d[3:5]), atoi(d[5:])
	if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
		return 0
	}
	hinted := nameHints(column, []string{"ssn", "social"}, "socialsecurity")
	switch {
	case formatted && hinted:
		return 0.98
	case formatted:
		return 0.85
	case hinted:
		return 0.8
	}
	return 0.2
}

// ipDetector finds IPv4 and IPv6 addresses.
type ipDetector struct{}

func (ipDetector) Kind() Kind { return IP }

// Score relies on net/netip, which rejects short forms ("10.1"), octets
// over 255 and leading zeros, so that most version strings fail. A host
// prefix counts as its address, since PostgreSQL renders inet::text as
// 10.0.0.1/32; wider prefixes are networks, not someone's address. The
// unspecified addresses are placeholders more often than data.
func (ipDetector) Score(_, value string) float64 {
	v := strings.TrimSpace(value)
	addr, err := netip.ParseAddr(v)
	if p, perr := netip.ParsePrefix(v); err != nil && perr == nil {
		addr, err = p.Addr(), nil
		if p.Bits() != addr.BitLen() {
			return 0.3
		}
	}
	switch {
	case err != nil:
		return 0
	case addr.IsUnspecified():
		return 0.3
	case addr.Is4():
		return 0.9
	}
	return 0.95
}

// dobDetector finds dates of birth: dates in a column whose name says so.
type dobDetector struct{}

func (dobDetector) Kind() Kind { return DOB }

// dateLayouts are the date renderings warehouses and exports use; US and
// European day-month orders are both tried.
var dateLayouts = []string{"2006-01-02", "2006/01/02", "01/02/2006", "02/01/2006", "02.01.2006", "20060102"}

// Score needs both signals: a date is a birth date only in a column named
// like one (order dates are dates too), and a timestamp with a time of day
// is an event, not a birth. Years outside 1900-2099 are not birth years.
func (dobDetector) Score(column, value string) float64 {
	d, ok := parseDate(strings.TrimSpace(value))
	if !ok || d.Year() < 1900 || d.Year() > 2099 {
		return 0
	}
	if nameHints(column, []string{"dob", "born", "birthday"}, "birth") {
		return 0.9
	}
	return 0.2
}

// parseDate parses a date alone, or a date at midnight as a timestamp
// column renders it ("1990-05-17 00:00:00+00").
func parseDate(v string) (time.Time, bool) {
	if day, rest, ok := strings.Cut(v, " "); ok {
		if strings.Trim(rest, "0:+Z") != "" {
			return time.Time{}, false
		}
		v = day
	}
	if day, rest, ok := strings.Cut(v, "T"); ok {
		if strings.Trim(rest, "0:+Z") != "" {
			return time.Time{}, false
		}
		v = day
	}
	for _, layout := range dateLayouts {
		if d, err := time.Parse(layout, v); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// nameHints reports whether a column name has one of tokens as a word
// (split at anything but letters and digits) or contains fragment.
func nameHints(column string, tokens []string, fragment string) bool {
	name := strings.ToLower(column)
	if strings.Contains(name, fragment) {
		return true
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return !isLetter(r) && !isDigit(r) })
	return slices.ContainsFunc(words, func(w string) bool { return slices.Contains(tokens, w) })
}
