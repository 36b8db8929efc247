package pii

import (
	"strings"
)

// emailDetector finds addresses of the form local@domain.tld.
type emailDetector struct{}

func (emailDetector) Kind() Kind { return Email }

// Score accepts the common address syntax rather than all of RFC 5322:
// quoted local parts and IP-literal domains are rare in warehouses, and a
// stricter shape keeps handles ("@dre"), "user@localhost" and log lines out.
func (emailDetector) Score(_, value string) float64 {
	local, domain, ok := strings.Cut(value, "@")
	if !ok || strings.Contains(domain, "@") || len(local) == 0 || len(local) > 64 || len(domain) > 253 {
		return 0
	}
	if !allRunes(local, isLocalPartRune) || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return 0
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return 0
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || !allRunes(l, isHostRune) || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return 0
		}
	}
	if tld := labels[len(labels)-1]; len(tld) < 2 || !allRunes(tld, isLetter) {
		return 0
	}
	return 0.95
}

func isLocalPartRune(r rune) bool {
	return isLetter(r) || isDigit(r) || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r)
}

func isHostRune(r rune) bool { return isLetter(r) || isDigit(r) || r == '-' }

// phoneDetector finds E.164 numbers (+4915123456789) and national formats
// with a trunk prefix (020 7946 0958) or the North American 3-3-4 grouping.
type phoneDetector struct{}

func (phoneDetector) Kind() Kind { return Phone }

// Score rests on the grouping as much as the digits: ten bare digits are
// as likely an order number as a phone, so they score below MatchScore,
// and dots are accepted only in 415.555.2671, since versions and IPv4
// addresses are dotted digit groups too.
func (phoneDetector) Score(_, value string) float64 {
	v := strings.TrimSpace(value)
	if !allRunes(v, isPhoneRune) || strings.Count(v, "+") > 1 {
		return 0
	}
	digits, groups := onlyDigits(v), digitGroups(v)
	if digits == "" || (strings.Contains(v, ".") && !nanpGroups(groups, v)) {
		return 0
	}
	switch {
	case strings.HasPrefix(v, "+"):
		if len(digits) >= 8 && len(digits) <= 15 && digits[0] != '0' {
			return 0.95
		}
	case len(groups) == 1:
		if len(digits) >= 10 && len(digits) <= 11 {
			return 0.3
		}
	case nanpGroups(groups, v):
		return 0.85
	case trunkGroups(groups, digits), spokenGroups(groups, digits):
		return 0.75
	}
	return 0
}

// spokenGroups accepts national numbers grouped as they are read out,
// 8 (993) 516-52-28 or 42 108 50 75: nine to twelve digits in four or
// more groups of two to four (the first up to five). Three groups are
// not enough, since 123-45-6789 is an SSN's grouping; a year and a
// month first (2019-05-13 20) are a timestamp's.
func spokenGroups(groups []string, digits string) bool {
	if len(digits) < 9 || len(digits) > 12 || len(groups) < 4 {
		return false
	}
	if len(groups[0]) == 4 && (strings.HasPrefix(groups[0], "19") || strings.HasPrefix(groups[0], "20")) && len(groups[1]) == 2 {
		return false
	}
	for i, g := range groups {
		if len(g) > 4 && !(i == 0 && len(g) == 5) || (len(g) < 2 && i > 0) {
			return false
		}
	}
	return true
}

func isPhoneRune(r rune) bool { return isDigit(r) || strings.ContainsRune(" -().+", r) }

// nanpGroups accepts 415-555-2671, (415) 555-2671 and 1 415 555 2671,
// with area and exchange codes not starting with 0 or 1 as the plan rules.
func nanpGroups(groups []string, v string) bool {
	if len(groups) == 4 && groups[0] == "1" {
		groups = groups[1:]
	}
	if len(groups) != 3 || len(groups[0]) != 3 || len(groups[1]) != 3 || len(groups[2]) != 4 {
		return false
	}
	if strings.ContainsRune(v, '(') != strings.ContainsRune(v, ')') {
		return false
	}
	return groups[0][0] >= '2' && groups[1][0] >= '2'
}

// trunkGroups accepts national numbers dialled with a trunk 0: 020 7946
// 0958, 06 12 34 56 78, 030-12345678. The first group is the 0 and an
// area or mobile code; the subscriber part may be grouped or not.
func trunkGroups(groups []string, digits string) bool {
	if digits[0] != '0' || len(digits) < 10 || len(digits) > 11 || len(groups[0]) < 2 || len(groups[0]) > 5 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) < 2 || len(g) > 8 {
			return false
		}
	}
	return true
}

// digitGroups splits v into its runs of digits.
func digitGroups(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return !isDigit(r) })
}

func onlyDigits(v string) string {
	var b strings.Builder
	for _, r := range v {
		if isDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func allRunes(s string, ok func(rune) bool) bool {
	for _, r := range s {
		if !ok(r) {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }
