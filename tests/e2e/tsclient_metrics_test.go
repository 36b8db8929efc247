package e2e

import (
	"maps"
	"sync"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

// tsRefusals counts what a worker exports as dre_decisions_refused, by the
// workflow type, action and reason tags, so a test can check that a
// refusal was counted where operators would see it.
type tsRefusals struct {
	client.MetricsHandler
	tags   map[string]string
	mu     *sync.Mutex
	counts map[string]int64
}

func newTSRefusals() *tsRefusals {
	return &tsRefusals{MetricsHandler: client.MetricsNopHandler, tags: map[string]string{}, mu: &sync.Mutex{}, counts: map[string]int64{}}
}

// WithTags keeps the tags the guard adds, sharing the counts.
func (h *tsRefusals) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	maps.Copy(merged, tags)
	return &tsRefusals{MetricsHandler: h.MetricsHandler, tags: merged, mu: h.mu, counts: h.counts}
}

// Counter counts dre_decisions_refused and passes every other counter on.
func (h *tsRefusals) Counter(name string) client.MetricsCounter {
	if name != workflows.MetricDecisionsRefused {
		return h.MetricsHandler.Counter(name)
	}
	key := h.tags["workflow"] + " " + h.tags["action"] + " " + h.tags["reason"]
	return tsCounter(func(n int64) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.counts[key] += n
	})
}

// count is the refusals of workflow type wf for action and reason.
func (h *tsRefusals) count(wf, action, reason string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[wf+" "+action+" "+reason]
}

type tsCounter func(int64)

func (f tsCounter) Inc(n int64) { f(n) }
