package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// A backfill started by a BackfillCascade (a child) does not walk its
// range: it rewrites the partitions the cascade feeds it as their upstream
// partitions commit, reports each batch it wrote back, and takes the
// cascade's pause, resume and cancel. Every other backfill is unchanged.

// Signals between a cascade and its children.
const (
	// BackfillFeedSignal gives a child partitions to rewrite (BackfillFeed).
	BackfillFeedSignal = "cascade-feed"
	// BackfillControlSignal passes a cascade's pause, resume or cancel
	// (BackfillPauseUpdate...) to its children.
	BackfillControlSignal = "cascade-control"
	// BackfillCascadeProgressSignal tells the cascade which partitions a
	// child wrote (BackfillCascadeProgress).
	BackfillCascadeProgressSignal = "cascade-progress"
)

// BackfillCascadeLink ties a child backfill to its cascade.
type BackfillCascadeLink struct {
	// Parent is the cascade's workflow ID, which the run must be a child of.
	Parent string `json:"parent"`
	// Approver is who approved the whole cascade, if it needed approval:
	// the child does not ask again.
	Approver string `json:"approver,omitempty"`
}

// BackfillFeed is partitions for a child to rewrite; Closed says no more follow.
type BackfillFeed struct {
	Spans  []PartitionSpan `json:"spans,omitempty"`
	Closed bool            `json:"closed,omitempty"`
}

// BackfillCascadeProgress is one batch of a child: the partitions written
// (their ledger rows committed) and how many failed.
type BackfillCascadeProgress struct {
	Dataset string          `json:"dataset"`
	Done    []PartitionSpan `json:"done,omitempty"`
	Failed  int             `json:"failed,omitempty"`
}

// checkCascadeLink refuses a cascade link in a run that is not a child of
// that cascade: the link skips the approval, which only the cascade's own
// guard may grant.
func checkCascadeLink(ctx workflow.Context, in BackfillInput) error {
	if in.Cascade == nil {
		return nil
	}
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil || parent.ID != in.Cascade.Parent || !strings.HasPrefix(parent.ID, backfillCascadeIDPrefix) {
		return temporal.NewNonRetryableApplicationError("a cascade link is only honoured in a child of its cascade; start a cascade with `dre backfill start <dataset> --cascade`", ErrInvalidInput, nil)
	}
	return nil
}

// startFed makes a new child's run wait for its partitions, trusting the
// cascade's approval.
func (b *backfillRun) startFed() {
	b.p.Selective = true
	b.p.Selected = b.total
	b.p.Approver = b.in.Cascade.Approver
}

// fedAll is true when no more partitions will come: always, outside a cascade.
func (b *backfillRun) fedAll() bool { return b.in.Cascade == nil || b.p.FeedClosed }

// listenToCascade applies the cascade's feeds and controls as they arrive.
func (b *backfillRun) listenToCascade(ctx workflow.Context) {
	feeds := workflow.GetSignalChannel(ctx, BackfillFeedSignal)
	controls := workflow.GetSignalChannel(ctx, BackfillControlSignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(feeds, func(c workflow.ReceiveChannel, _ bool) {
			var f BackfillFeed
			c.Receive(ctx, &f)
			b.takeFeed(f)
		})
		sel.AddReceive(controls, func(c workflow.ReceiveChannel, _ bool) {
			var control string
			c.Receive(ctx, &control)
			b.takeControl(ctx, control)
		})
		for ctx.Err() == nil {
			sel.Select(ctx)
		}
	})
}

// drainCascade applies what arrived but was not yet received, so that
// continue-as-new carries it.
func (b *backfillRun) drainCascade(ctx workflow.Context) {
	if b.in.Cascade == nil {
		return
	}
	var f BackfillFeed
	for workflow.GetSignalChannel(ctx, BackfillFeedSignal).ReceiveAsync(&f) {
		b.takeFeed(f)
		f = BackfillFeed{}
	}
	var control string
	for workflow.GetSignalChannel(ctx, BackfillControlSignal).ReceiveAsync(&control) {
		b.takeControl(ctx, control)
	}
}

// takeFeed queues the fed partitions, oldest first within each feed.
func (b *backfillRun) takeFeed(f BackfillFeed) {
	for _, s := range f.Spans {
		if n := len(b.p.Queue); n > 0 && b.p.Queue[n-1].To.Equal(s.From) {
			b.p.Queue[n-1].To = s.To
			continue
		}
		b.p.Queue = append(b.p.Queue, s)
	}
	b.p.FeedClosed = b.p.FeedClosed || f.Closed
}

// takeControl applies the cascade's control where it makes sense now, as
// the updates' validators would.
func (b *backfillRun) takeControl(ctx workflow.Context, control string) {
	switch {
	case control == BackfillPauseUpdate && b.validatePause(ctx) == nil:
		_, _ = b.pause(ctx)
	case control == BackfillResumeUpdate && b.validateResume(ctx) == nil:
		_, _ = b.resume(ctx)
	case control == BackfillCancelUpdate && b.validateCancel(ctx) == nil:
		_, _ = b.cancel(ctx)
	}
}

// reportToCascade tells the cascade which partitions of a batch were
// written, so that the partitions reading them can start; the run does
// not end before the signal is delivered.
func (b *backfillRun) reportToCascade(ctx workflow.Context, outcomes []activities.PartitionOutcome) {
	if b.in.Cascade == nil {
		return
	}
	msg := BackfillCascadeProgress{Dataset: b.in.Dataset.Name}
	var done []time.Time
	for _, o := range outcomes {
		if o.Failure != "" {
			msg.Failed++
			continue
		}
		done = append(done, o.Start)
	}
	msg.Done = spansOf(b.gran, done, false)
	b.reporting++
	defer func() { b.reporting-- }()
	err := workflow.SignalExternalWorkflow(ctx, b.in.Cascade.Parent, "", BackfillCascadeProgressSignal, msg).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("progress not reported to the cascade", "cascade", b.in.Cascade.Parent, "error", err)
	}
}
