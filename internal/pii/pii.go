// Package pii finds personal data in sampled column values: email
// addresses, phone numbers, payment cards, IBANs, US social security
// numbers, IP addresses, dates of birth, person names and postal
// addresses, in plain columns, inside free text and in JSON documents. Each detector scores one value
// with a confidence between 0 and 1; ScanColumn turns the scores of a
// column's sample into a verdict with a match ratio, so that one stray
// value does not flag a column and one odd value does not hide one.
//
// The package does no I/O and reads no clock, so the PII scan activity and
// the tests run it the same way.
package pii

import "github.com/dre-dev/dre/internal/catalog"

// Kind is what a detector finds.
type Kind string

// The detector kinds.
const (
	Email Kind = "email"
	Phone Kind = "phone"
	Card  Kind = "card"
	IBAN  Kind = "iban"
	SSN   Kind = "ssn"
	IP    Kind = "ip"
	DOB   Kind = "dob"
	// Name and Address weigh value shapes, word lists and the column's
	// name together (see ScoreColumn).
	Name    Kind = "name"
	Address Kind = "address"
)

// PIIKind is the catalog kind a column found to hold k is tagged with.
// SSN maps to the broader national_id, since the catalog does not tell
// one country's identifier from another's.
func (k Kind) PIIKind() catalog.PIIKind {
	switch k {
	case Email:
		return catalog.PIIEmail
	case Phone:
		return catalog.PIIPhone
	case Card:
		return catalog.PIICard
	case IBAN:
		return catalog.PIIIBAN
	case SSN:
		return catalog.PIINationalID
	case IP:
		return catalog.PIIIP
	case DOB:
		return catalog.PIIDOB
	case Name:
		return catalog.PIIName
	case Address:
		return catalog.PIIAddress
	}
	return catalog.PIIOther
}

// Detectable reports whether some detector can find data of the catalog
// kind k; "other" has none, so a column tagged with it can be neither
// confirmed nor refuted by sampling.
func Detectable(k catalog.PIIKind) bool {
	for _, d := range Detectors() {
		if d.Kind().PIIKind() == k {
			return true
		}
	}
	return false
}

// Detector scores single values.
type Detector interface {
	// Kind is what the detector finds.
	Kind() Kind
	// Score is the confidence, from 0 to 1, that value (read from the
	// named column) is this kind of PII. Values scoring MatchScore or
	// more count as matches.
	Score(column, value string) float64
}

// MatchScore is the score from which a value counts as a match. Detectors
// score ambiguous shapes (ten bare digits, a date outside a birth column)
// below it, so that they only add confidence, never a match.
const MatchScore = 0.5

// Detectors returns every detector, the most specific first: when two
// kinds tie on a column, the earlier one wins.
func Detectors() []Detector {
	return []Detector{cardDetector{}, ibanDetector{}, ssnDetector{}, emailDetector{},
		ipDetector{}, dobDetector{}, phoneDetector{}, addressDetector{}, nameDetector{}}
}

// columnScorer is a detector that judges a column as a whole rather than
// averaging its values' scores, and says why.
type columnScorer interface {
	ScoreColumn(column string, values []string) Match
}
