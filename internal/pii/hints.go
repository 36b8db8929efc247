package pii

import (
	"fmt"
	"slices"
	"strings"
)

// Other is personal data of no kind a detector finds, as a column's
// comment may say ("personal data", "PII").
const Other Kind = "other"

// hintWords are words in column names that suggest a kind, by kind.
var hintWords = []struct {
	kind  Kind
	words map[string]bool
}{
	{SSN, wordSet("ssn socialsecurity nationalid passport passportno taxid tin nino nin cpf aadhaar")},
	{Email, wordSet("email emails mail emailaddress")},
	{Phone, wordSet("phone phones mobile telephone tel cell msisdn fax phonenumber")},
	{Card, wordSet("creditcard cardnumber ccnumber ccnum pan")},
	{IBAN, wordSet("iban")},
	{IP, wordSet("ip ipaddress ipaddr ipv4 ipv6")},
	{DOB, wordSet("dob birthday birthdate born birth")},
}

// hintPhrases are what a column comment says about a kind.
var hintPhrases = []struct {
	kind    Kind
	phrases []string
}{
	{SSN, []string{"social security", "ssn", "passport", "national id", "tax id"}},
	{Email, []string{"email", "e-mail"}},
	{Phone, []string{"phone", "mobile number"}},
	{Card, []string{"credit card", "card number"}},
	{IBAN, []string{"iban", "bank account"}},
	{IP, []string{"ip address"}},
	{DOB, []string{"date of birth", "birth date", "birthday"}},
	{Name, []string{"full name", "first name", "last name", "surname", "customer name", "person's name"}},
	{Address, []string{"postal address", "street address", "home address", "shipping address", "billing address"}},
	{Other, []string{"personal data", "personally identifiable", "pii", "gdpr", "sensitive"}},
}

// contextHints returns the kinds the column's name or comment suggests
// that no finding in the column has.
func contextHints(col ColumnInfo, found []Finding) []Hint {
	var out []Hint
	add := func(k Kind, reason string) {
		if slices.ContainsFunc(found, func(f Finding) bool { return f.Kind == k }) || slices.ContainsFunc(out, func(h Hint) bool { return h.Kind == k }) {
			return
		}
		out = append(out, Hint{Kind: k, Reason: reason})
	}
	named := fmt.Sprintf("column name %q", col.Name)
	if k, ok := nameHint(col.Name); ok {
		add(k, named)
	}
	comment := strings.ToLower(col.Comment)
	if strings.HasPrefix(comment, "pii:") { // a tag, which the scan reads as one
		return out
	}
	for _, h := range hintPhrases {
		for _, p := range h.phrases {
			if containsWord(comment, p) {
				add(h.kind, fmt.Sprintf("comment mentions %q", p))
				break
			}
		}
	}
	return out
}

// nameHint is the kind a column's name suggests, if any.
func nameHint(column string) (Kind, bool) {
	words := columnWords(column)
	joined := strings.Join(words, "")
	for _, h := range hintWords {
		if hasAny(words, h.words) || h.words[joined] {
			return h.kind, true
		}
	}
	if nameContext(column) == contextStrong {
		return Name, true
	}
	if addressContext(column) == contextStrong && hasAny(words, wordSet("address addr street streetaddress postcode zip zipcode postal")) {
		return Address, true
	}
	return "", false
}

// containsWord reports whether phrase occurs in text between non-letters.
func containsWord(text, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || !isLetter(rune(text[start-1]))) && (end == len(text) || !isLetter(rune(text[end]))) {
			return true
		}
		i = start + 1
	}
}
