package pii

import (
	"slices"
	"strings"
)

// DefaultContainsThreshold is the share of a free-text column's rows that
// must mention one kind for the column to be flagged as containing it.
// It is far below DefaultThreshold: a support note that names a phone
// number in one row of five leaks phone numbers all the same.
const DefaultContainsThreshold = 0.2

// Modes of a Finding: the values are PII, or contain it among other text.
const (
	ModeIs       = "is"
	ModeContains = "contains"
)

// ColumnInfo is what the warehouse says about a column besides its values.
type ColumnInfo struct {
	// Table is the table's name, context for a column called "name".
	Table   string
	Name    string
	Type    string
	Comment string
}

// Options are the thresholds of Inspect; zero values take the defaults.
type Options struct {
	// Threshold is the share of values that must be one kind (ModeIs).
	Threshold float64
	// ContainsThreshold is the share of rows that must mention one kind
	// (ModeContains).
	ContainsThreshold float64
}

// Finding is one place in a column that holds PII.
type Finding struct {
	// Path is the column name, or column.key.key for a JSON leaf
	// (payload.user.email; [] marks an array's elements).
	Path string `json:"path"`
	Mode string `json:"mode"`
	Match
}

// Hint says a column's name or comment suggests PII of Kind that its
// values did not show: an empty column, or one the sample missed.
type Hint struct {
	Kind   Kind   `json:"kind"`
	Reason string `json:"reason"`
}

// ColumnReport is everything Inspect found in one column.
type ColumnReport struct {
	Findings []Finding
	Hints    []Hint
	// Sampled counts the non-empty values looked at.
	Sampled int
}

// Inspect looks for PII in a column's sampled values: whole values of a
// kind, JSON documents' string leaves, and mentions inside free text;
// then adds what the column's name and comment suggest.
func Inspect(col ColumnInfo, values []string, opt Options) ColumnReport {
	if opt.Threshold <= 0 {
		opt.Threshold = DefaultThreshold
	}
	if opt.ContainsThreshold <= 0 {
		opt.ContainsThreshold = DefaultContainsThreshold
	}
	nonEmpty := slices.DeleteFunc(slices.Clone(values), func(v string) bool { return strings.TrimSpace(v) == "" })
	r := ColumnReport{Sampled: len(nonEmpty)}
	if isJSONColumn(col.Type, nonEmpty) {
		for _, leaf := range jsonLeaves(col.Name, nonEmpty) {
			r.Findings = append(r.Findings, inspectValues(leaf.path, leaf.contextName(), leaf.values, opt)...)
		}
	} else {
		r.Findings = inspectValues(col.Name, contextColumn(col.Table, col.Name), nonEmpty, opt)
	}
	r.Hints = contextHints(col, r.Findings)
	return r
}

// inspectValues finds one kind the values are, or else the kinds enough
// of them mention.
func inspectValues(path, column string, values []string, opt Options) []Finding {
	if m, ok := ScanColumn(column, values, opt.Threshold); ok {
		return []Finding{{Path: path, Mode: ModeIs, Match: m}}
	}
	var out []Finding
	for _, m := range scanMentions(values, opt.ContainsThreshold) {
		out = append(out, Finding{Path: path, Mode: ModeContains, Match: m})
	}
	return out
}
