package pii

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// mentionKinds are the kinds looked for inside free text, in the order a
// run of digits is tried: birth dates need a column's context, which a
// sentence does not give; names and addresses bring their own
// (textpeople.go).
var mentionKinds = []Kind{Card, IBAN, SSN, Email, IP, Phone, Address, Name}

// minTextWords is the fewest words of a value read as free text for
// names and addresses; minCJKTextRunes stands in for it in scripts
// written without spaces.
const (
	minTextWords    = 6
	minCJKTextRunes = 15
)

// isFreeText tells a sentence from a short value (a product name, a
// title, a city), which ScanColumn judges whole.
func isFreeText(text string) bool {
	if len(strings.Fields(text)) >= minTextWords {
		return true
	}
	cjk := strings.IndexFunc(text, func(r rune) bool {
		return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
	}) >= 0
	return cjk && utf8.RuneCountInString(text) >= minCJKTextRunes
}

// mentionScore is the least score a mention inside text needs: stricter
// than MatchScore, since text is full of numbers that are nobody's.
const mentionScore = 0.75

var (
	// digitRun finds runs a phone, card or SSN may be written in.
	digitRun = regexp.MustCompile(`\+?\(?[0-9][0-9 ().-]{6,}[0-9]`)
	// groupedIBAN finds IBANs printed in groups of four.
	groupedIBAN = regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`)
)

// mentions returns the kinds a piece of free text mentions.
func mentions(text string) map[Kind]bool {
	found := map[Kind]bool{}
	for _, tok := range strings.FieldsFunc(text, isTextBreak) {
		tok = strings.TrimRight(tok, ".:!?")
		for _, d := range []Detector{emailDetector{}, ipDetector{}, ibanDetector{}} {
			if d.Score("", tok) >= mentionScore {
				found[d.Kind()] = true
			}
		}
	}
	for _, run := range groupedIBAN.FindAllString(text, -1) {
		if (ibanDetector{}).Score("", run) >= mentionScore {
			found[IBAN] = true
		}
	}
	// A name or street alone is a value, not a mention: short values
	// (product names, titles, cities) are judged whole by ScanColumn.
	if isFreeText(text) {
		if textMentionsAddress(text) {
			found[Address] = true
		}
		if textMentionsName(text) {
			found[Name] = true
		}
	}
	for _, run := range digitRun.FindAllString(text, -1) {
		run = strings.TrimSpace(run)
		for _, d := range []Detector{cardDetector{}, ssnDetector{}, phoneDetector{}} {
			if d.Score("", run) >= mentionScore {
				found[d.Kind()] = true
				break
			}
		}
	}
	return found
}

func isTextBreak(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || strings.ContainsRune(",;<>()[]{}\"'=|", r)
}

// scanMentions returns, for each kind mentioned in at least threshold of
// the values (and in MinValues of them), the share of values mentioning it.
func scanMentions(values []string, threshold float64) []Match {
	if len(values) < MinValues {
		return nil
	}
	rows := map[Kind]int{}
	for _, v := range values {
		for k := range mentions(v) {
			rows[k]++
		}
	}
	var out []Match
	for _, k := range mentionKinds {
		share := ratioOf(rows[k], len(values))
		if rows[k] < MinValues || share < threshold {
			continue
		}
		out = append(out, Match{Kind: k, Ratio: share, Matched: rows[k], Sampled: len(values),
			Confidence: min(0.95, 0.5+share),
			Reasons:    []string{fmt.Sprintf("%.0f%% of values mention %s", share*100, kindPhrase(k))}})
	}
	return out
}

// kindPhrase names a kind in a sentence.
func kindPhrase(k Kind) string {
	switch k {
	case Email:
		return "an email address"
	case Phone:
		return "a phone number"
	case Card:
		return "a payment card number"
	case IBAN:
		return "an IBAN"
	case SSN:
		return "a social security number"
	case IP:
		return "an IP address"
	case DOB:
		return "a date of birth"
	case Name:
		return "a person's name"
	case Address:
		return "a postal address"
	}
	return "personal data"
}
