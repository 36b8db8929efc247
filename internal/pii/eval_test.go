package pii

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// Column-level accuracy targets, per kind and per locale group.
const (
	minColumnPrecision = 0.95
	minColumnRecall    = 0.90
	evalSeed           = 20261206
)

// evalKinds are the kinds the evaluation scores.
var evalKinds = []Kind{Email, Phone, Card, IBAN, SSN, IP, DOB, Name, Address}

// allGroups is the tally key of every locale group together.
const allGroups = "all"

// tally holds confusion counts by kind, then by locale group (allGroups
// for the sum).
type tally map[Kind]map[string]*counts

func (t tally) add(k Kind, group string, f func(*counts)) {
	if t[k] == nil {
		t[k] = map[string]*counts{}
	}
	for _, g := range []string{group, allGroups} {
		if t[k][g] == nil {
			t[k][g] = &counts{}
		}
		f(t[k][g])
	}
}

// evaluate inspects every column and counts, per kind and locale group,
// columns flagged rightly (tp), wrongly (fp) and not flagged (fn). A JSON
// column counts once per kind, whichever of its paths holds it.
func evaluate(cols []evalColumn, logf func(string, ...any)) tally {
	t := tally{}
	for _, c := range cols {
		r := Inspect(c.info, c.values, Options{})
		found := map[Kind]bool{}
		for _, f := range r.Findings {
			found[f.Kind] = true
		}
		for _, k := range evalKinds {
			truth := slices.Contains(c.kinds, k)
			switch {
			case found[k] && truth:
				t.add(k, c.group, func(n *counts) { n.tp++ })
			case found[k]:
				t.add(k, c.group, func(n *counts) { n.fp++ })
				logf("false %s: %s column %q, e.g. %q", k, c.family, c.info.Name, c.values[0])
			case truth:
				t.add(k, c.group, func(n *counts) { n.fn++ })
				logf("missed %s: %s column %q, e.g. %q", k, c.family, c.info.Name, c.values[0])
			}
		}
	}
	return t
}

// evalColumns is the whole corpus: gofakeit's columns and faker's in
// every locale, rows values per column.
func evalColumns(tb testing.TB, seed uint64, perFamily, rows int) []evalColumn {
	cols := evalCorpus(seed, perFamily, rows)
	return append(cols, fakerColumns(tb, runFakerCorpus(tb, int(seed%1e6), perFamily*rows), rows)...)
}

// knownRecallGaps are the kinds and locale groups held to a lower recall
// than minColumnRecall, each for a reason the README states: Greek phone
// numbers written without a trunk 0 or country code ("2232 849518") are
// not told from other numbers inside text, and names in Arabic and Hebrew
// text, a script without capitals, are found only by the name lists.
var knownRecallGaps = map[Kind]map[string]float64{
	Phone: {"greek": 0.7},
	Name:  {"arabic-hebrew": 0.8},
}

// checkTargets fails on every kind and group below the targets; groups
// with no true columns of a kind are judged on precision alone.
func checkTargets(t *testing.T, byKind tally) {
	for _, k := range evalKinds {
		for _, g := range slices.Sorted(maps.Keys(byKind[k])) {
			c := byKind[k][g]
			t.Logf("%-8s %-14s precision %.3f recall %.3f (tp %d, fp %d, fn %d)", k, g, c.precision(), c.recall(), c.tp, c.fp, c.fn)
			wantRecall := minColumnRecall
			if floor, ok := knownRecallGaps[k][g]; ok {
				wantRecall = floor
			}
			if c.precision() < minColumnPrecision || c.recall() < wantRecall {
				t.Errorf("%s in %s: precision %.3f, recall %.3f; want at least %.2f and %.2f", k, g, c.precision(), c.recall(), minColumnPrecision, wantRecall)
			}
		}
	}
}

// TestColumnAccuracyOnFakerCorpus is the quick accuracy check of make
// test: a modest corpus, every kind and locale group held to the targets.
func TestColumnAccuracyOnFakerCorpus(t *testing.T) {
	checkTargets(t, evaluate(evalColumns(t, evalSeed, 4, 50), t.Logf))
}

// BenchmarkPIIAccuracy reports column-level precision and recall per kind
// and locale group on a larger corpus (another seed than the test's), and
// the time to inspect one column.
func BenchmarkPIIAccuracy(b *testing.B) {
	cols := evalColumns(b, evalSeed+1, 20, 50)
	var byKind tally
	b.ResetTimer()
	for range b.N {
		byKind = evaluate(cols, func(string, ...any) {})
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(cols)), "µs/column")
	for _, k := range evalKinds {
		for g, c := range byKind[k] {
			b.ReportMetric(c.precision(), fmt.Sprintf("precision-%s-%s", k, g))
			b.ReportMetric(c.recall(), fmt.Sprintf("recall-%s-%s", k, g))
		}
	}
}
