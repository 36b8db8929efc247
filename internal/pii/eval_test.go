package pii

import (
	"fmt"
	"slices"
	"testing"
)

// Column-level accuracy targets on the faker corpus, per kind.
const (
	minColumnPrecision = 0.95
	minColumnRecall    = 0.90
	evalSeed           = 20261206
)

// evalKinds are the kinds the evaluation scores.
var evalKinds = []Kind{Email, Phone, Card, IBAN, SSN, IP, DOB, Name, Address}

// evaluate inspects every column and counts, per kind, columns flagged
// rightly (tp), wrongly (fp) and not flagged (fn). A JSON column counts
// once per kind, whichever of its paths holds it.
func evaluate(cols []evalColumn, logf func(string, ...any)) map[Kind]*counts {
	byKind := map[Kind]*counts{}
	for _, k := range evalKinds {
		byKind[k] = &counts{}
	}
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
				byKind[k].tp++
			case found[k]:
				byKind[k].fp++
				logf("false %s: %s column %q, e.g. %q", k, c.family, c.info.Name, c.values[0])
			case truth:
				byKind[k].fn++
				logf("missed %s: %s column %q, e.g. %q", k, c.family, c.info.Name, c.values[0])
			}
		}
	}
	return byKind
}

func TestColumnAccuracyOnFakerCorpus(t *testing.T) {
	byKind := evaluate(evalCorpus(evalSeed, 20, 60), t.Logf)
	for _, k := range evalKinds {
		c := byKind[k]
		t.Logf("%-8s precision %.3f recall %.3f (tp %d, fp %d, fn %d)", k, c.precision(), c.recall(), c.tp, c.fp, c.fn)
		if c.precision() < minColumnPrecision || c.recall() < minColumnRecall {
			t.Errorf("%s: precision %.3f, recall %.3f; want at least %.2f and %.2f", k, c.precision(), c.recall(), minColumnPrecision, minColumnRecall)
		}
	}
}

// BenchmarkPIIAccuracy reports column-level precision and recall per kind
// on a fresh faker corpus (another seed than the test's), and the time to
// inspect one column.
func BenchmarkPIIAccuracy(b *testing.B) {
	cols := evalCorpus(evalSeed+1, 20, 60)
	var byKind map[Kind]*counts
	b.ResetTimer()
	for range b.N {
		byKind = evaluate(cols, func(string, ...any) {})
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(cols)), "µs/column")
	for _, k := range evalKinds {
		b.ReportMetric(byKind[k].precision(), fmt.Sprintf("precision-%s", k))
		b.ReportMetric(byKind[k].recall(), fmt.Sprintf("recall-%s", k))
	}
}
