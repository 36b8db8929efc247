package activities

import (
	"sync"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
)

// countingHandler sums the counters recorded through it by name and the
// dataset and outcome tags, so a test can read what a worker would export.
type countingHandler struct {
	client.MetricsHandler
	tags   map[string]string
	mu     *sync.Mutex
	totals map[string]int64
}

func newCountingHandler() *countingHandler {
	return &countingHandler{MetricsHandler: client.MetricsNopHandler, tags: map[string]string{}, mu: &sync.Mutex{}, totals: map[string]int64{}}
}

func (h *countingHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := map[string]string{}
	for _, m := range []map[string]string{h.tags, tags} {
		for k, v := range m {
			merged[k] = v
		}
	}
	return &countingHandler{MetricsHandler: h.MetricsHandler, tags: merged, mu: h.mu, totals: h.totals}
}

func (h *countingHandler) Counter(name string) client.MetricsCounter {
	key := name + "{dataset=" + h.tags["dataset"] + ",outcome=" + h.tags["outcome"] + "}"
	return counterFunc(func(n int64) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.totals[key] += n
	})
}

func (h *countingHandler) total(key string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.totals[key]
}

type counterFunc func(int64)

func (f counterFunc) Inc(n int64) { f(n) }

// TestRewriteCountsEachCommittedPartitionOnce: a retry that finds the
// partition in the ledger must not count it again, so a worker taking over
// a crashed one's backfill never reports more partitions than exist.
func TestRewriteCountsEachCommittedPartitionOnce(t *testing.T) {
	f := newBackfillFixture(t)
	h := newCountingHandler()
	var s testsuite.WorkflowTestSuite
	s.SetMetricsHandler(h)
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(f.acts)
	in := copyInput("run-1", 3, BackfillValidation{})
	in.Dataset = "dst"
	for range 2 {
		if _, err := env.ExecuteActivity(f.acts.RewritePartition, in); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.total("dre_backfill_partitions{dataset=dst,outcome=done}"); n != 1 {
		t.Errorf("a partition written once and found in the ledger on retry counted %d times; want 1", n)
	}
	if n := h.total("dre_backfill_rows{dataset=dst,outcome=}"); n != 24 {
		t.Errorf("rows counted %d; want the 24 rows written once", n)
	}
}
