package pii

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// Thresholds the detectors must keep on the synthetic corpus. A value-level
// miss is cheap (the column's other values still match), a false positive
// costs a reviewer's time, hence the stricter precision.
const (
	minValuePrecision = 0.97
	minValueRecall    = 0.95
	corpusSeed        = 20260401
)

func randomDay(r *rand.Rand, fromYear, spanYears int) time.Time {
	start := time.Date(fromYear, 1, 1, 0, 0, 0, 0, time.UTC)
	return start.AddDate(0, 0, r.IntN(spanYears*365))
}

// time1s is a time of day that is never exactly midnight.
func time1s(r *rand.Rand) time.Duration { return time.Duration(1+r.IntN(86399)) * time.Second }

// counts are one kind's confusion counts.
type counts struct{ tp, fp, fn int }

func (c counts) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c counts) recall() float64    { return ratio(c.tp, c.tp+c.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func TestValuePrecisionAndRecallOnSyntheticCorpus(t *testing.T) {
	byKind := map[Kind]*counts{}
	var micro counts
	for _, kind := range []Kind{Email, Phone, Card, IBAN, SSN, IP, DOB} {
		byKind[kind] = &counts{}
	}
	for _, v := range corpus(corpusSeed, 400) {
		got, _ := Classify(v.column, v.value)
		if got == v.kind {
			if got != "" {
				byKind[got].tp++
				micro.tp++
			}
			continue
		}
		if got != "" {
			byKind[got].fp++
			micro.fp++
			t.Logf("false %s: %q in column %s (truly %q)", got, v.value, v.column, v.kind)
		}
		if v.kind != "" {
			byKind[v.kind].fn++
			micro.fn++
		}
	}
	for _, kind := range slices.Sorted(func(yield func(Kind) bool) {
		for k := range byKind {
			if !yield(k) {
				return
			}
		}
	}) {
		c := byKind[kind]
		t.Logf("%-6s precision %.4f recall %.4f (tp %d, fp %d, fn %d)", kind, c.precision(), c.recall(), c.tp, c.fp, c.fn)
		if c.precision() < minValuePrecision || c.recall() < minValueRecall {
			t.Errorf("%s: precision %.4f, recall %.4f; want at least %.2f and %.2f", kind, c.precision(), c.recall(), minValuePrecision, minValueRecall)
		}
	}
	t.Logf("all    precision %.4f recall %.4f", micro.precision(), micro.recall())
}

// TestColumnVerdictsOnSyntheticCorpus builds columns of 50 values, a tenth
// of them placeholders, from each family and checks the flag and the kind.
func TestColumnVerdictsOnSyntheticCorpus(t *testing.T) {
	r := rand.New(rand.NewPCG(corpusSeed, 7))
	var right, flaggedWrong, missed, columns int
	for _, g := range append(slices.Clone(positives), negatives...) {
		for range 20 {
			values := make([]string, 50)
			for i := range values {
				values[i] = g.gen(r)
				if r.IntN(10) == 0 {
					values[i] = []string{"", "n/a", "unknown", "  "}[r.IntN(4)]
				}
			}
			columns++
			m, ok := ScanColumn(g.column, values, 0)
			switch {
			case ok && m.Kind == g.kind, !ok && g.kind == "":
				right++
			case ok:
				flaggedWrong++
				t.Errorf("%s column %s flagged as %s (ratio %.2f); want %q", g.name, g.column, m.Kind, m.Ratio, g.kind)
			default:
				missed++
				t.Errorf("%s column %s not flagged (best ratio below %.2f); want %s", g.name, g.column, DefaultThreshold, g.kind)
			}
		}
	}
	t.Logf("columns: %d right of %d, %d flagged wrongly, %d missed", right, columns, flaggedWrong, missed)
}

func TestCorpusIsDeterministic(t *testing.T) {
	a, b := corpus(corpusSeed, 5), corpus(corpusSeed, 5)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed produced two corpora; precision numbers would not be reproducible")
	}
	if strings.Join(values(a), "") == strings.Join(values(corpus(corpusSeed+1, 5)), "") {
		t.Fatal("a different seed produced the same corpus")
	}
}

func values(ls []labeled) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.value
	}
	return out
}
