package pii

import (
	"strings"
)

// cardDetector finds payment card numbers: 13 to 19 digits, optionally in
// groups, passing the Luhn check.
type cardDetector struct{}

func (cardDetector) Kind() Kind { return Card }

// Score gives Luhn-valid numbers with a known issuer prefix a high score
// and other Luhn-valid numbers one below MatchScore: one in ten random
// numbers passes Luhn, so the check alone does not make an ID a card.
func (cardDetector) Score(_, value string) float64 {
	v := strings.TrimSpace(value)
	if !allRunes(v, func(r rune) bool { return isDigit(r) || r == ' ' || r == '-' }) {
		return 0
	}
	digits := onlyDigits(v)
	if len(digits) < 13 || len(digits) > 19 || !luhn(digits) {
		return 0
	}
	if knownIssuer(digits) {
		return 0.95
	}
	return 0.3
}

// luhn reports whether digits (ASCII digits only) pass the Luhn checksum.
func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// knownIssuer reports whether a card number starts with the prefix of a
// major network at a length that network issues.
func knownIssuer(d string) bool {
	n := len(d)
	p2, p4 := atoi(d[:2]), atoi(d[:4])
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720): // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011 || p2 == 65 || (p4 >= 6440 && p4 <= 6499): // Discover
		return n >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p2 == 36 || p2 == 38 || (p4 >= 3000 && p4 <= 3059): // Diners Club
		return n >= 14
	}
	return false
}

// atoi converts a short run of ASCII digits.
func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// ibanDetector finds International Bank Account Numbers.
type ibanDetector struct{}

func (ibanDetector) Kind() Kind { return IBAN }

// Score requires the mod-97 checksum, which random text passes once in 97
// tries, and scores lower when the country's length is not one we know.
func (ibanDetector) Score(_, value string) float64 {
	v := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(value), " ", ""))
	if len(v) < 15 || len(v) > 34 || !isLetter(rune(v[0])) || !isLetter(rune(v[1])) ||
		!isDigit(rune(v[2])) || !isDigit(rune(v[3])) || !allRunes(v, func(r rune) bool { return isDigit(r) || isLetter(r) }) {
		return 0
	}
	if !ibanMod97(v) {
		return 0
	}
	if want, ok := ibanLengths[v[:2]]; ok {
		if want != len(v) {
			return 0
		}
		return 0.97
	}
	return 0.7
}

// ibanMod97 computes ISO 13616's check: the country code and check digits
// move to the end, letters become 10..35, and the number mod 97 is 1. The
// remainder is folded digit by digit, so no big integers are needed.
func ibanMod97(v string) bool {
	rem := 0
	for _, r := range v[4:] + v[:4] {
		if isDigit(r) {
			rem = (rem*10 + int(r-'0')) % 97
		} else {
			rem = (rem*100 + int(r-'A') + 10) % 97
		}
	}
	return rem == 1
}

// ibanLengths are the IBAN lengths of common countries (ISO 13616
// registry); other countries are accepted at a lower score.
var ibanLengths = map[string]int{
	"AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18,
	"FR": 27, "GB": 22, "GR": 27, "HU": 28, "IE": 22, "IT": 27, "LU": 20, "NL": 18,
	"NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SK": 24,
}
