package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Reprocess modes of BackfillInput.Only.
const (
	// BackfillAll rewrites every partition of the range (the default).
	BackfillAll = "all"
	// BackfillMissing leaves out partitions an earlier backfill wrote
	// from the same source definition.
	BackfillMissing = activities.ReprocessMissing
	// BackfillFailedOnly redoes the partitions an earlier run failed.
	BackfillFailedOnly = activities.ReprocessFailed
)

// Orders of BackfillInput.Order.
const (
	BackfillOldestFirst = "oldest"
	BackfillNewestFirst = "newest"
)

// backfillSelectChange is the GetVersion ID of the partition selection
// (reprocess modes, explicit lists, newest first).
const backfillSelectChange = "backfill-select-partitions"

// PartitionSpan is the partitions in [From, To), a compact form of a
// selection that carries across continue-as-new.
type PartitionSpan struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// selective is true when the run rewrites a selection of the range, or
// in another order, rather than walking [From, To) oldest first.
func (in BackfillInput) selective() bool {
	return (in.Only != "" && in.Only != BackfillAll) || len(in.Partitions) > 0 || in.Order == BackfillNewestFirst
}

// withDerivedRange fills From and To from an explicit partition list when
// they are not given, so a list alone is a whole request.
func (in BackfillInput) withDerivedRange() BackfillInput {
	if len(in.Partitions) == 0 || !in.From.IsZero() || !in.To.IsZero() || in.Dataset.Partition == nil {
		return in
	}
	in.From = slices.MinFunc(in.Partitions, time.Time.Compare)
	in.To = in.Dataset.Partition.Granularity.Next(slices.MaxFunc(in.Partitions, time.Time.Compare))
	return in
}

// validateSelection checks the reprocess mode, the order and the
// explicit partitions, which must be whole partitions inside the range.
func (in BackfillInput) validateSelection() error {
	switch {
	case !slices.Contains([]string{"", BackfillAll, BackfillMissing, BackfillFailedOnly}, in.Only):
		return fmt.Errorf("reprocess mode %q is unknown; use %s, %s or %s", in.Only, BackfillAll, BackfillMissing, BackfillFailedOnly)
	case in.OfRun != "" && in.Only != BackfillFailedOnly:
		return errors.New("an earlier run (--of) only goes with --only failed")
	case !slices.Contains([]string{"", BackfillOldestFirst, BackfillNewestFirst}, in.Order):
		return fmt.Errorf("order %q is unknown; use %s or %s", in.Order, BackfillOldestFirst, BackfillNewestFirst)
	case !slices.Contains([]string{"", catalog.PublishDirect, catalog.PublishWAP}, in.Publish):
		return fmt.Errorf("publish mode %q is unknown; use %s or %s", in.Publish, catalog.PublishWAP, catalog.PublishDirect)
	case in.publishMode() == catalog.PublishWAP && in.Validation.Kind == ValidateSQL:
		return errors.New("with write-audit-publish, declare SQL checks under validation.sql in dre.yaml (they read the staged rows as {{ .Table }}) instead of --validate sql")
	}
	g := in.Dataset.Partition.Granularity
	for i, p := range in.Partitions {
		switch {
		case !g.Truncate(p).Equal(p):
			return fmt.Errorf("partition %s is not at a %s boundary of %s; use %s", p.UTC().Format(time.RFC3339), g, in.Dataset.Name, PartitionLabel(g, g.Truncate(p)))
		case p.Before(in.From) || !p.Before(in.To):
			return fmt.Errorf("partition %s is outside the range %s to %s; widen the range or leave --from and --to out", PartitionLabel(g, p), PartitionLabel(g, in.From), PartitionLabel(g, in.To))
		case slices.ContainsFunc(in.Partitions[:i], p.Equal):
			return fmt.Errorf("partition %s is listed twice", PartitionLabel(g, p))
		}
	}
	return nil
}

// publishMode is how the run publishes: as asked, else as the dataset says.
func (in BackfillInput) publishMode() string {
	if in.Publish != "" {
		return in.Publish
	}
	return in.Dataset.PublishMode()
}

// selectPartitions settles which partitions the run rewrites, in which
// order, asking the warehouse's ledger for the reprocess modes.
func (b *backfillRun) selectPartitions(ctx workflow.Context) error {
	if !b.in.selective() || workflow.GetVersion(ctx, backfillSelectChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	starts := b.candidates()
	var err error
	switch b.in.Only {
	case BackfillMissing, BackfillFailedOnly:
		starts, err = b.filterByLedger(ctx, starts)
	}
	if err != nil {
		return err
	}
	b.p.Selective = true
	b.p.Selected = len(starts)
	b.p.Skipped = countPartitions(b.gran, b.in.From, b.in.To) - len(starts)
	b.p.Queue = spansOf(b.gran, starts, b.in.Order == BackfillNewestFirst)
	b.total = b.p.Selected
	return nil
}

// candidates are the explicit partitions, or every one of the range.
func (b *backfillRun) candidates() []time.Time {
	if len(b.in.Partitions) > 0 {
		out := slices.Clone(b.in.Partitions)
		slices.SortFunc(out, time.Time.Compare)
		return out
	}
	var out []time.Time
	for start := b.in.From; start.Before(b.in.To); start = b.gran.Next(start) {
		out = append(out, start)
	}
	return out
}

// filterByLedger keeps the candidates the reprocess mode selects.
func (b *backfillRun) filterByLedger(ctx workflow.Context, starts []time.Time) ([]time.Time, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             "read the backfill ledger of " + b.in.Dataset.Table + " for --only " + b.in.Only,
	})
	in := activities.SelectPartitionsInput{
		Warehouse: b.in.Dataset.Warehouse, Table: b.in.Dataset.Table, From: b.in.From, To: b.in.To,
		Select: b.sel, Only: b.in.Only, OfRun: b.in.OfRun,
	}
	var a *activities.Backfills
	var res activities.SelectPartitionsResult
	if err := workflow.ExecuteActivity(ctx, a.SelectPartitions, in).Get(ctx, &res); err != nil {
		return nil, err
	}
	b.p.OfRun = res.OfRun
	if b.in.Only == BackfillMissing {
		return slices.DeleteFunc(starts, func(t time.Time) bool { return slices.ContainsFunc(res.Skip, t.Equal) }), nil
	}
	return slices.DeleteFunc(starts, func(t time.Time) bool { return !slices.ContainsFunc(res.Redo, t.Equal) }), nil
}

// spansOf packs sorted partition starts into spans of consecutive
// partitions, in the order they will be dispatched.
func spansOf(g catalog.Granularity, starts []time.Time, newestFirst bool) []PartitionSpan {
	var out []PartitionSpan
	for _, s := range starts {
		if n := len(out); n > 0 && out[n-1].To.Equal(s) {
			out[n-1].To = g.Next(s)
			continue
		}
		out = append(out, PartitionSpan{From: s, To: g.Next(s)})
	}
	if newestFirst {
		slices.Reverse(out)
	}
	return out
}

// takeQueued takes the next partition off the selection.
func (b *backfillRun) takeQueued() warehouse.Partition {
	s := &b.p.Queue[0]
	var start time.Time
	if b.in.Order == BackfillNewestFirst {
		start = b.gran.Truncate(s.To.Add(-time.Nanosecond))
		s.To = start
	} else {
		start = s.From
		s.From = b.gran.Next(start)
	}
	if !s.From.Before(s.To) {
		b.p.Queue = b.p.Queue[1:]
	}
	return warehouse.Partition{Column: b.in.Dataset.Partition.Column, Start: start, End: b.gran.Next(start)}
}

// queuedUpTo counts the selection's partitions left, stopping at limit.
func (b *backfillRun) queuedUpTo(limit int) int {
	n := 0
	for _, s := range b.p.Queue {
		n += countPartitionsUpTo(b.gran, s.From, s.To, limit-n)
		if n >= limit {
			break
		}
	}
	return n
}

// plannedPartitions are the first partitions the run will rewrite, at
// most limit, in order, without taking them.
func (b *backfillRun) plannedPartitions(limit int) []warehouse.Partition {
	if !b.p.Selective {
		return PlanPartitions(b.gran, b.in.Dataset.Partition.Column, b.in.From, b.in.To, limit)
	}
	saved := slices.Clone(b.p.Queue)
	defer func() { b.p.Queue = saved }()
	var out []warehouse.Partition
	for len(b.p.Queue) > 0 && len(out) < limit {
		out = append(out, b.takeQueued())
	}
	return out
}
