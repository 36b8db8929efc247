package pii

import "strings"

// DefaultThreshold is the share of a column's sampled values that must
// match one kind for the column to be flagged. It tolerates a fifth of
// placeholders ("n/a", "unknown") and typos without flagging a free-text
// column where an address turns up now and then.
const DefaultThreshold = 0.8

// MinValues is the fewest non-empty values a column needs for a verdict:
// fewer say too little to flag a column or to clear a tagged one.
const MinValues = 3

// Match is the verdict on one column for one kind.
type Match struct {
	Kind Kind `json:"kind"`
	// Ratio is Matched / Sampled.
	Ratio float64 `json:"ratio"`
	// Confidence is the mean score of the matching values times Ratio:
	// high only when most values match and each match is unambiguous.
	Confidence float64 `json:"confidence"`
	Matched    int     `json:"matched"`
	// Sampled counts the non-empty values looked at.
	Sampled int `json:"sampled"`
	// Reasons are the evidence behind Confidence, for people.
	Reasons []string `json:"reasons,omitempty"`
}

// ScanColumn runs every detector over a column's sampled values and
// returns the most confident kind whose match ratio reaches threshold (0
// means DefaultThreshold). ok is false when no kind does, or when fewer
// than MinValues values are not empty.
func ScanColumn(column string, values []string, threshold float64) (m Match, ok bool) {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	nonEmpty := make([]string, 0, len(values))
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			nonEmpty = append(nonEmpty, v)
		}
	}
	if len(nonEmpty) < MinValues {
		return Match{Sampled: len(nonEmpty)}, false
	}
	for _, d := range Detectors() {
		c := score(d, column, nonEmpty)
		if c.Ratio >= threshold && c.Confidence > m.Confidence {
			m, ok = c, true
		}
	}
	if !ok {
		m = Match{Sampled: len(nonEmpty)}
	}
	return m, ok
}

// score is one detector's verdict over non-empty values.
func score(d Detector, column string, values []string) Match {
	if cs, ok := d.(columnScorer); ok {
		return cs.ScoreColumn(column, values)
	}
	return perValue(d, column, values)
}

// perValue is the share of values scoring MatchScore or more, and their
// mean score times that share.
func perValue(d Detector, column string, values []string) Match {
	m := Match{Kind: d.Kind(), Sampled: len(values)}
	var sum float64
	for _, v := range values {
		if s := d.Score(column, v); s >= MatchScore {
			m.Matched++
			sum += s
		}
	}
	m.Ratio = float64(m.Matched) / float64(m.Sampled)
	if m.Matched > 0 {
		m.Confidence = sum / float64(m.Matched) * m.Ratio
	}
	return m
}

// Classify returns the kind of one value, the highest-scoring detector's
// at MatchScore or above, or "" when none reaches it.
func Classify(column, value string) (Kind, float64) {
	var best Kind
	var top float64
	for _, d := range Detectors() {
		if s := d.Score(column, value); s >= MatchScore && s > top {
			best, top = d.Kind(), s
		}
	}
	return best, top
}
