package gateway

import (
	"context"
	"sync"
	"time"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/catalog"
)

// Bounds of one delivery to an incident.
const (
	maxAlertBatch     = 100
	alertBatchTimeout = 30 * time.Second
)

// alertBatcher coalesces the alerts of one dataset that arrive while a
// delivery to its incident is in flight into the next delivery. An alert
// storm then costs Temporal one signal per dataset per round trip, not
// one per alert: signals to one workflow are applied one at a time, so
// per-alert signals would queue behind each other. Each request still
// waits for its own alert's delivery, so a 200 means the incident has it.
type alertBatcher struct {
	deliver func(ctx context.Context, ds catalog.Dataset, batch []alerts.Alert) (string, error)

	mu     sync.Mutex
	queues map[string]*alertQueue // by dataset; present while delivering
}

// alertQueue is one dataset's alerts waiting for the delivery in flight.
type alertQueue struct {
	ds      catalog.Dataset
	waiting []alertWaiter
}

type alertWaiter struct {
	alert alerts.Alert
	done  chan alertResult
}

type alertResult struct {
	outcome string
	err     error
}

func newAlertBatcher(deliver func(context.Context, catalog.Dataset, []alerts.Alert) (string, error)) *alertBatcher {
	return &alertBatcher{deliver: deliver, queues: map[string]*alertQueue{}}
}

// submit queues al for ds's next delivery and waits for its outcome.
func (b *alertBatcher) submit(ctx context.Context, ds catalog.Dataset, al alerts.Alert) (string, error) {
	w := alertWaiter{alert: al, done: make(chan alertResult, 1)}
	b.mu.Lock()
	q, busy := b.queues[ds.Name]
	if !busy {
		q = &alertQueue{ds: ds}
		b.queues[ds.Name] = q
	}
	q.waiting = append(q.waiting, w)
	b.mu.Unlock()
	if !busy {
		go b.drain(q)
	}
	select {
	case r := <-w.done:
		return r.outcome, r.err
	case <-ctx.Done(): // the alert may still be delivered; the incident drops it if sent again
		return "error", ctx.Err()
	}
}

// drain delivers the queue's alerts, a batch at a time, until none is
// left; then the dataset has no queue until the next alert.
func (b *alertBatcher) drain(q *alertQueue) {
	for {
		b.mu.Lock()
		n := min(len(q.waiting), maxAlertBatch)
		if n == 0 {
			delete(b.queues, q.ds.Name)
			b.mu.Unlock()
			return
		}
		batch := q.waiting[:n:n]
		q.waiting = q.waiting[n:]
		b.mu.Unlock()
		b.deliverBatch(q.ds, batch)
	}
}

// deliverBatch sends runs of one status in order (an alert that fires
// and resolves inside one batch stays in that order) and answers each
// waiter with its run's outcome.
func (b *alertBatcher) deliverBatch(ds catalog.Dataset, batch []alertWaiter) {
	for start := 0; start < len(batch); {
		end := start + 1
		for end < len(batch) && batch[end].alert.Status == batch[start].alert.Status {
			end++
		}
		run := make([]alerts.Alert, 0, end-start)
		for _, w := range batch[start:end] {
			run = append(run, w.alert)
		}
		ctx, cancel := context.WithTimeout(context.Background(), alertBatchTimeout)
		outcome, err := b.deliver(ctx, ds, run)
		cancel()
		for _, w := range batch[start:end] {
			w.done <- alertResult{outcome, err}
		}
		start = end
	}
}
