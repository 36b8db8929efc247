package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// SLOBatchInput is one round of a batch evaluator: each member dataset
// with its due SLOs, and how many datasets to measure at once.
type SLOBatchInput struct {
	Items       []SLOBatchItem `json:"items"`
	Parallelism int            `json:"parallelism"`
}

// SLOBatchItem is one dataset's part of a batch round. Bootstrap, when
// set, is the request ID of a history bootstrap to run before measuring,
// over the windows ending at Until.
type SLOBatchItem struct {
	SLORoundInput
	Bootstrap string    `json:"bootstrap,omitempty"`
	Until     time.Time `json:"until,omitzero"`
}

// SLOBatchResult holds one result per item, in the input's order.
type SLOBatchResult struct {
	Items []SLOBatchItemResult `json:"items"`
}

// SLOBatchItemResult is one dataset's round: the incident check and its
// readings, and the bootstrap's outcome when one was asked for.
type SLOBatchItemResult struct {
	Dataset string `json:"dataset"`
	SLORoundResult
	Bootstrap      []SLOHistory `json:"bootstrap,omitempty"`
	BootstrapError string       `json:"bootstrapError,omitempty"`
}

// sloBatchHeartbeatEvery is how often a batch round heartbeats its
// progress: well inside the heartbeat timeout the evaluator sets, and
// rarely enough that encoding the finished results costs little.
const sloBatchHeartbeatEvery = 10 * time.Second

// EvaluateSLOBatch runs a round of every dataset of a batch in one
// activity: for each, what EvaluateSLORound does for one (the incident
// check, then measure, record and evaluate each due SLO), at most
// Parallelism datasets at a time.
//
// One dataset's failure stays its own: its readings carry the error and
// the others are returned. When some dataset failed in a way a retry may
// cure, the activity fails so that Temporal retries, unless this is the
// last attempt; the datasets already done are in its heartbeat, so the
// retry measures only the rest.
func (s *SLOs) EvaluateSLOBatch(ctx context.Context, in SLOBatchInput) (SLOBatchResult, error) {
	p := newSLOBatchProgress(ctx, len(in.Items))
	stop := p.keepHeartbeating(ctx)
	defer stop()
	todo := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(in.Parallelism, len(in.Items))) {
		wg.Go(func() {
			for i := range todo {
				r, transient := s.batchItem(ctx, in.Items[i])
				p.finish(i, r, transient)
			}
		})
	}
	for i := range in.Items {
		if !p.resumed(i) {
			todo <- i
		}
	}
	close(todo)
	wg.Wait()
	stop()
	if err := p.failed(); err != nil && retryAttemptsLeft(ctx) {
		p.heartbeat(ctx)
		return SLOBatchResult{}, err
	}
	return SLOBatchResult{Items: p.results}, nil
}

// batchItem bootstraps a dataset's history when asked, then runs its
// round; transient is what a retry might cure.
func (s *SLOs) batchItem(ctx context.Context, it SLOBatchItem) (r SLOBatchItemResult, transient error) {
	r.Dataset = it.Dataset.Name
	if it.Bootstrap != "" {
		h, err := s.BootstrapSLOHistory(ctx, BootstrapSLOHistoryInput{Dataset: it.Dataset, Until: it.Until})
		r.Bootstrap = h
		if err != nil {
			r.BootstrapError = err.Error()
		}
	}
	r.SLORoundResult, transient = s.sloRound(ctx, it.SLORoundInput)
	return r, transient
}

// sloBatchProgress collects a batch round's results: those finished for
// good (heartbeated, so that a retry skips them) and the failures a retry
// may cure.
type sloBatchProgress struct {
	mu        sync.Mutex
	results   []SLOBatchItemResult
	done      map[int]SLOBatchItemResult
	transient []error
}

// newSLOBatchProgress resumes from the last attempt's heartbeat, if any.
func newSLOBatchProgress(ctx context.Context, n int) *sloBatchProgress {
	p := &sloBatchProgress{results: make([]SLOBatchItemResult, n), done: map[int]SLOBatchItemResult{}}
	if activity.IsActivity(ctx) && activity.HasHeartbeatDetails(ctx) {
		var done map[int]SLOBatchItemResult
		if activity.GetHeartbeatDetails(ctx, &done) == nil {
			for i, r := range done {
				if i >= 0 && i < n {
					p.done[i], p.results[i] = r, r
				}
			}
		}
	}
	return p
}

// resumed tells whether an earlier attempt finished item i.
func (p *sloBatchProgress) resumed(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.done[i]
	return ok
}

// finish keeps item i's result; only one without a transient failure is
// final.
func (p *sloBatchProgress) finish(i int, r SLOBatchItemResult, transient error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.results[i] = r
	if transient != nil {
		p.transient = append(p.transient, transient)
		return
	}
	p.done[i] = r
}

// failed joins the failures a retry may cure; nil when there is none.
func (p *sloBatchProgress) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.transient) == 0 {
		return nil
	}
	return fmt.Errorf("SLO batch round, %d of %d datasets to retry: %w", len(p.transient), len(p.results), errors.Join(p.transient...))
}

// heartbeat records the finished items as the activity's progress.
func (p *sloBatchProgress) heartbeat(ctx context.Context) {
	if !activity.IsActivity(ctx) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	activity.RecordHeartbeat(ctx, p.done)
}

// keepHeartbeating heartbeats every sloBatchHeartbeatEvery until the
// returned stop is called (more than once is fine).
func (p *sloBatchProgress) keepHeartbeating(ctx context.Context) (stop func()) {
	quit := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(sloBatchHeartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				p.heartbeat(ctx)
			}
		}
	})
	return func() { once.Do(func() { close(quit); wg.Wait() }) }
}
