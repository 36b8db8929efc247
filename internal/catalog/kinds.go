package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Granularity is the size of one partition of a dataset.
type Granularity string

// The partition granularities dre understands.
const (
	Hour  Granularity = "hour"
	Day   Granularity = "day"
	Month Granularity = "month"
)

// Granularities returns every valid Granularity, smallest first.
func Granularities() []Granularity { return []Granularity{Hour, Day, Month} }

// Valid reports whether g is one of Hour, Day or Month.
func (g Granularity) Valid() bool { return slices.Contains(Granularities(), g) }

// Truncate returns the start of the partition that holds t, in UTC.
// It panics on an invalid granularity: validated datasets never have one,
// and silently picking a size would backfill the wrong rows.
func (g Granularity) Truncate(t time.Time) time.Time {
	t = t.UTC()
	switch g {
	case Hour:
		return t.Truncate(time.Hour)
	case Day:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	panic(fmt.Sprintf("catalog: invalid granularity %q", string(g)))
}

// Next returns the start of the partition after the one that holds t, in
// UTC. Days and months step with AddDate so that month lengths are right.
func (g Granularity) Next(t time.Time) time.Time {
	start := g.Truncate(t)
	switch g {
	case Hour:
		return start.Add(time.Hour)
	case Day:
		return start.AddDate(0, 0, 1)
	default:
		return start.AddDate(0, 1, 0)
	}
}

// SLOKind says what an SLO measures.
type SLOKind string

// The SLO kinds dre can evaluate.
const (
	Freshness    SLOKind = "freshness"
	Volume       SLOKind = "volume"
	Completeness SLOKind = "completeness"
	Custom       SLOKind = "custom"
	// Ratio is good events over total events, each counted by its own SQL
	// over the interval being measured.
	Ratio SLOKind = "ratio"
)

// SLOKinds returns every valid SLOKind.
func SLOKinds() []SLOKind { return []SLOKind{Freshness, Volume, Completeness, Custom, Ratio} }

// Valid reports whether k is a known SLO kind.
func (k SLOKind) Valid() bool { return slices.Contains(SLOKinds(), k) }

// PIIKind classifies the personal data a column holds.
type PIIKind string

// The PII kinds a column can be tagged with.
const (
	PIIEmail      PIIKind = "email"
	PIIPhone      PIIKind = "phone"
	PIIName       PIIKind = "name"
	PIIAddress    PIIKind = "address"
	PIICard       PIIKind = "card"
	PIINationalID PIIKind = "national_id"
	PIIIBAN       PIIKind = "iban"
	PIIIP         PIIKind = "ip"
	PIIDOB        PIIKind = "dob"
	PIIOther      PIIKind = "other"
)

// PIIKinds returns every valid PIIKind.
func PIIKinds() []PIIKind {
	return []PIIKind{PIIEmail, PIIPhone, PIIName, PIIAddress, PIICard,
		PIINationalID, PIIIBAN, PIIIP, PIIDOB, PIIOther}
}

// Valid reports whether k is a known PII kind.
func (k PIIKind) Valid() bool { return slices.Contains(PIIKinds(), k) }

// FinalAction is what happens to a deprecated table once its soft-delete
// retention has passed.
type FinalAction string

// The final actions of a dataset lifecycle.
const (
	FinalDrop    FinalAction = "drop"
	FinalArchive FinalAction = "archive"
)

// FinalActions returns every valid FinalAction.
func FinalActions() []FinalAction { return []FinalAction{FinalDrop, FinalArchive} }

// Valid reports whether a is drop or archive.
func (a FinalAction) Valid() bool { return slices.Contains(FinalActions(), a) }

// joinQuoted renders values as `"a", "b"` for messages that list choices.
func joinQuoted[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprintf("%q", string(v))
	}
	return strings.Join(parts, ", ")
}
