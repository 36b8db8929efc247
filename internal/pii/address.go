package pii

import (
	"fmt"
	"strings"
)

// addressDetector finds postal addresses: a house number beside a street
// word in one of several languages, or a postal code in a country's
// format, weighed with the column's name.
type addressDetector struct{}

func (addressDetector) Kind() Kind { return Address }

// Score of one value: a street line scores at MatchScore or above, a
// postal code beside it more; a bare postal code matches only in a column
// named like an address, since five digits are any number.
func (addressDetector) Score(column, value string) float64 {
	ctx := addressContext(column)
	if ctx == contextAgainst || (!strings.ContainsAny(value, "0123456789０１２３４５６７８９") && !strings.Contains(value, "s/n")) {
		return 0 // every address shape has a house number (or "s/n", none) or a postal code
	}
	street := streetLine(value)
	house := !street && houseShape(value)
	if !street && !house && ctx != contextStrong {
		return 0 // a postal code alone (0.25) matches only in an address column
	}
	postal := postalCode(value)
	s := 0.0
	switch {
	case street && postal:
		s = 0.9
	case house && postal:
		s = 0.8
	case street:
		s = 0.75
	case house:
		s = 0.4
	case postal:
		s = 0.25
	default:
		return 0
	}
	switch ctx {
	case contextStrong:
		s += 0.3
	case contextWeak:
		s += 0.1
	}
	return min(s, 0.97)
}

// ScoreColumn is Score's per-value verdict with its reasons spelt out.
func (d addressDetector) ScoreColumn(column string, values []string) Match {
	m := perValue(d, column, values)
	if m.Matched == 0 {
		return m
	}
	streets, houses, postals := 0, 0, 0
	for _, v := range values {
		if streetLine(v) {
			streets++
		} else if houseShape(v) {
			houses++
		}
		if postalCode(v) {
			postals++
		}
	}
	if streets > 0 {
		m.Reasons = append(m.Reasons, fmt.Sprintf("%.0f%% have a house number beside a street word", ratioOf(streets, len(values))*100))
	}
	if houses > 0 {
		m.Reasons = append(m.Reasons, fmt.Sprintf("%.0f%% have a house number beside a name", ratioOf(houses, len(values))*100))
	}
	if postals > 0 {
		m.Reasons = append(m.Reasons, fmt.Sprintf("%.0f%% have a postal code", ratioOf(postals, len(values))*100))
	}
	contextEvidence(addressContext(column), &m, column, "an address")
	return m
}
