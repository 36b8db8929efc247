package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// backfillPlanDetail bounds the partitions estimated one by one; the cost
// of the rest is extrapolated, so a plan of 100,000 partitions stays one
// small activity and one small payload.
const backfillPlanDetail = 500

// BackfillPlan is what a backfill would cost, estimated without writing.
type BackfillPlan struct {
	// Partitions holds the first partitions, at most 500, with their costs.
	Partitions []PartitionCost `json:"partitions"`
	Total      warehouse.Cost  `json:"total"`
	// Amount is Total in the unit budgets are in (see CostAmount).
	Amount float64 `json:"amount"`
	// Extrapolated is true when Total extends the estimated partitions'
	// average to the partitions beyond them.
	Extrapolated bool `json:"extrapolated,omitempty"`
	// Skipped counts the range's partitions a reprocess mode or an
	// explicit list leaves out.
	Skipped int `json:"skipped,omitempty"`
}

// PartitionCost is one partition's estimate.
type PartitionCost struct {
	Start time.Time      `json:"start"`
	End   time.Time      `json:"end"`
	Cost  warehouse.Cost `json:"cost"`
}

// CostAmount is the figure a budget is compared with: bytes scanned where
// the warehouse reports them (BigQuery), planner cost units otherwise.
func CostAmount(c warehouse.Cost) float64 {
	if c.Bytes > 0 {
		return float64(c.Bytes)
	}
	return c.Units
}

// PlanPartitions lists the partitions of [from, to) at granularity g, at
// most limit of them (0: all).
func PlanPartitions(g catalog.Granularity, column string, from, to time.Time, limit int) []warehouse.Partition {
	var out []warehouse.Partition
	for start := from; start.Before(to) && (limit == 0 || len(out) < limit); start = g.Next(start) {
		out = append(out, warehouse.Partition{Column: column, Start: start, End: g.Next(start)})
	}
	return out
}

// countPartitions counts the partitions of [from, to) without keeping them.
func countPartitions(g catalog.Granularity, from, to time.Time) int {
	n := 0
	for start := from; start.Before(to); start = g.Next(start) {
		n++
	}
	return n
}

// PartitionLabel names a partition as people write it: 2026-01-02T15:00,
// 2026-01-02 or 2026-01.
func PartitionLabel(g catalog.Granularity, start time.Time) string {
	switch g {
	case catalog.Hour:
		return start.UTC().Format("2006-01-02T15:04")
	case catalog.Month:
		return start.UTC().Format("2006-01")
	}
	return start.UTC().Format("2006-01-02")
}

// selectSQL is the SELECT producing one partition, its bounds rendered as
// the @from and @to parameters the activities bind.
func (in BackfillInput) selectSQL() (string, error) {
	// Rendering a fixed template with two constant strings is
	// deterministic; workflowcheck only sees text/template's map iteration.
	if in.Select != "" {
		return catalog.ExpandBounds(in.Select, "@from", "@to") //workflowcheck:ignore
	}
	return in.Dataset.SourceQuery("@from", "@to") //workflowcheck:ignore
}

// validationSQL is the validation SELECT, its bounds rendered like
// selectSQL's; "" when the run validates otherwise.
func (in BackfillInput) validationSQL() (string, error) {
	if in.Validation.SQL == "" {
		return "", nil
	}
	return catalog.ExpandBounds(in.Validation.SQL, "@from", "@to") //workflowcheck:ignore
}

// warnLegacyBounds logs what to write instead when the run's SQL reads
// its bounds the deprecated way, as @from and @to (catalog.BoundsWarning).
func (in BackfillInput) warnLegacyBounds(ctx workflow.Context) {
	sel := in.Select
	if sel == "" && in.Dataset.Source != nil {
		sel = in.Dataset.Source.Select
	}
	for _, sql := range []struct{ what, text string }{{"select", sel}, {"validation sql", in.Validation.SQL}} {
		if sql.text == "" {
			continue
		}
		//workflowcheck:ignore parsing a template only iterates over its own maps
		warning := catalog.BoundsWarning(sql.text)
		if warning != "" {
			workflow.GetLogger(ctx).Warn("backfill "+sql.what+": "+warning, "dataset", in.Dataset.Name)
		}
	}
}

// sourceTable is the table a copy backfill reads, "" for a SELECT.
func (in BackfillInput) sourceTable() string {
	if in.Select == "" && in.Dataset.Source != nil {
		return in.Dataset.Source.Table
	}
	return ""
}

func (in BackfillInput) validate() error {
	ds := in.Dataset
	if ds.Name == "" || ds.Warehouse == "" || ds.Table == "" {
		return errors.New("backfill needs a catalog dataset with a name, a warehouse and a table")
	}
	if ds.Partition == nil || ds.Partition.Column == "" || !ds.Partition.Granularity.Valid() {
		return fmt.Errorf("dataset %q has no partitioning; add partition: {column: <date column>, granularity: hour|day|month} to it in dre.yaml", ds.Name)
	}
	if err := in.validateRange(); err != nil {
		return err
	}
	if _, err := in.selectSQL(); err != nil {
		return fmt.Errorf("%v, or pass a SELECT reading {{ .From }} and {{ .To }}", err)
	}
	if _, err := in.validationSQL(); err != nil {
		return fmt.Errorf("validation sql: %v", err)
	}
	if err := in.validateSelection(); err != nil {
		return err
	}
	return in.validateSettings()
}

// validateRange requires [From, To) to be whole partitions: rewriting a
// partition replaces all of it, so a range starting mid-day cannot be honoured.
func (in BackfillInput) validateRange() error {
	g := in.Dataset.Partition.Granularity
	if !in.From.Before(in.To) {
		return fmt.Errorf("from %s is not before to %s", in.From.Format(time.RFC3339), in.To.Format(time.RFC3339))
	}
	for _, t := range []time.Time{in.From, in.To} {
		if !g.Truncate(t).Equal(t) {
			return fmt.Errorf("%s is not at a %s boundary of %s; use %s", t.Format(time.RFC3339), g, in.Dataset.Name, PartitionLabel(g, g.Truncate(t)))
		}
	}
	return nil
}

func (in BackfillInput) validateSettings() error {
	switch {
	case in.Concurrency < 0 || in.Concurrency > BackfillMaxConcurrency:
		return fmt.Errorf("concurrency %d is out of range; use 1 to %d", in.Concurrency, BackfillMaxConcurrency)
	case in.OnFailure != "" && in.OnFailure != BackfillStop && in.OnFailure != BackfillSkip:
		return fmt.Errorf("failure policy %q is unknown; use %s or %s", in.OnFailure, BackfillStop, BackfillSkip)
	case in.MaxAttempts < 0 || in.Budget < 0 || in.PartitionsPerRun < 0:
		return errors.New("max attempts, budget and partitions per run cannot be negative")
	case in.PartitionsPerActivity < 0 || in.PartitionsPerActivity > backfillMaxBatch:
		return fmt.Errorf("partitions per activity %d is out of range; use 1 to %d, or 0 to size batches by time", in.PartitionsPerActivity, backfillMaxBatch)
	case in.Validation.Kind == ValidateSQL && in.Validation.SQL == "":
		return errors.New("validation sql needs a SELECT that returns the partition's violations")
	case in.Validation.Kind != "" && in.Validation.Kind != ValidateSQL && in.Validation.Kind != ValidateRowCount && in.Validation.Kind != ValidateChecksum:
		return fmt.Errorf("validation %q is unknown; use %s, %s or %s", in.Validation.Kind, ValidateRowCount, ValidateChecksum, ValidateSQL)
	}
	return nil
}

// makePlan estimates the first partitions and extrapolates the rest.
func (b *backfillRun) makePlan(ctx workflow.Context) error {
	parts := b.plannedPartitions(backfillPlanDetail)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
		Summary:             fmt.Sprintf("estimate %d partitions of %s", len(parts), b.in.Dataset.Table),
	})
	var a *activities.Backfills
	var res activities.EstimatePartitionsResult
	in := activities.EstimatePartitionsInput{Warehouse: b.in.Dataset.Warehouse, Select: b.sel, Partitions: parts,
		Dataset: b.in.Dataset.Name, SelectRole: b.p.SelectRole}
	if err := workflow.ExecuteActivity(ctx, a.EstimatePartitions, in).Get(ctx, &res); err != nil {
		return err
	}
	b.plan = summarisePlan(parts, res.Costs, b.total)
	b.plan.Skipped = b.p.Skipped
	return nil
}

// summarisePlan adds up the estimates and extends their average to the
// partitions that were not estimated.
func summarisePlan(parts []warehouse.Partition, costs []warehouse.Cost, total int) *BackfillPlan {
	plan := &BackfillPlan{}
	for i, c := range costs {
		plan.Partitions = append(plan.Partitions, PartitionCost{Start: parts[i].Start, End: parts[i].End, Cost: c})
		plan.Total.Rows += c.Rows
		plan.Total.Units += c.Units
		plan.Total.Bytes += c.Bytes
	}
	if n := len(costs); n > 0 && total > n {
		scale := float64(total) / float64(n)
		plan.Total = warehouse.Cost{Rows: int64(float64(plan.Total.Rows) * scale), Units: plan.Total.Units * scale, Bytes: int64(float64(plan.Total.Bytes) * scale)}
		plan.Extrapolated = true
	}
	plan.Amount = CostAmount(plan.Total)
	return plan
}

// execute dispatches partitions in order, at most concurrency at a time,
// until the range is done, the run's share is used up, a stop is asked
// for, or a failure stops it; it always waits for running partitions.
func (b *backfillRun) execute(ctx workflow.Context) error {
	// Runs recorded before batching rewrote one partition per activity;
	// they replay on that path.
	b.batched = workflow.GetVersion(ctx, backfillBatchChange, workflow.DefaultVersion, 1) == 1
	b.maxBatch = backfillMaxBatchBefore
	if b.batched && workflow.GetVersion(ctx, backfillMaxBatchChange, workflow.DefaultVersion, 1) == 1 {
		b.maxBatch = backfillMaxBatch
	}
	for {
		if err := workflow.Await(ctx, func() bool { return b.canDispatch() || b.finished() }); err != nil {
			return err
		}
		if b.finished() {
			return nil
		}
		b.dispatch(ctx)
	}
}

func (b *backfillRun) hasNext() bool {
	if b.p.Selective {
		return len(b.p.Queue) > 0
	}
	return b.p.Next.Before(b.in.To)
}

// stopping is true once nothing more may start: cancelled, or failed
// under the stop policy.
func (b *backfillRun) stopping() bool {
	return b.cancelled || (b.p.Failed > 0 && b.in.OnFailure != BackfillSkip)
}

func (b *backfillRun) runShareUsed() bool { return b.shareLeft() <= 0 }

func (b *backfillRun) canDispatch() bool {
	return !b.p.Paused && !b.stopping() && b.hasNext() && !b.runShareUsed() && b.running < b.concurrency
}

// finished is true when nothing runs and nothing more will start in this
// run, and a cascade's child has delivered its progress to its parent.
func (b *backfillRun) finished() bool {
	return b.running == 0 && b.reporting == 0 && (b.stopping() || (!b.hasNext() && b.fedAll()) || b.runShareUsed())
}

func (b *backfillRun) shouldContinueAsNew() bool {
	return !b.stopping() && (b.hasNext() || !b.fedAll())
}

// dispatch starts the next batch (or, on the pre-batching path, the next
// partition) in its own coroutine.
func (b *backfillRun) dispatch(ctx workflow.Context) {
	if b.batched {
		parts := b.nextBatch()
		b.running++
		b.runningParts += len(parts)
		b.dispatched += len(parts)
		workflow.Go(ctx, func(ctx workflow.Context) { b.rewriteBatch(ctx, parts) })
		return
	}
	p := warehouse.Partition{Column: b.in.Dataset.Partition.Column, Start: b.p.Next, End: b.gran.Next(b.p.Next)}
	b.p.Next = p.End
	b.running++
	b.runningParts++
	b.dispatched++
	workflow.Go(ctx, func(ctx workflow.Context) { b.rewrite(ctx, p) })
}

// rewrite runs one partition's activity and records the outcome; runs
// recorded before batching take this path.
func (b *backfillRun) rewrite(ctx workflow.Context, p warehouse.Partition) {
	attempts := b.in.MaxAttempts
	if attempts == 0 {
		attempts = backfillDefaultAttempts
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: int32(attempts),
		},
		Summary: "rewrite " + PartitionLabel(b.gran, p.Start),
	})
	in := activities.RewritePartitionInput{
		Warehouse: b.in.Dataset.Warehouse, Table: b.in.Dataset.Table, Partition: p,
		Select: b.sel, SourceTable: b.in.sourceTable(), RunID: b.p.LedgerRun, Validation: b.in.Validation,
		Dataset: b.in.Dataset.Name, SelectRole: b.p.SelectRole,
	}
	var a *activities.Backfills
	var res activities.RewritePartitionResult
	err := workflow.ExecuteActivity(ctx, a.RewritePartition, in).Get(ctx, &res)
	b.running--
	b.runningParts--
	defer b.meterBackfill(ctx, b.p)
	if err != nil {
		b.recordFailure(p.Start, failureReason(err))
	} else {
		b.p.Done++
		b.p.Rows += res.Rows
	}
	b.publishProgress(ctx)
}

// recordFailure counts a failed partition and keeps its reason.
func (b *backfillRun) recordFailure(start time.Time, reason string) {
	b.p.Failed++
	if len(b.p.Failures) >= backfillFailuresKept {
		return
	}
	b.p.Failures = append(b.p.Failures, BackfillFailure{Start: start, Reason: reason})
}

// failureReason is an activity error as people should read it: the
// application error's message, without Temporal's wrapping.
func failureReason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

// continueAsNew hands the progress to a fresh run once every update
// handler has finished, so no accepted update is lost.
func (b *backfillRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	b.drainCascade(ctx)
	next := b.in
	progress := b.p
	next.Progress = &progress
	next.Concurrency = b.concurrency
	return workflow.NewContinueAsNewError(ctx, BackfillWorkflowName, next)
}

// Batching: one activity rewrites several consecutive partitions, each
// committed on its own through the warehouse ledger, because a Temporal
// round trip per partition (~8 ms on a tuned server, ~47 ms on a default
// one) costs as much as a small partition's SQL.
const (
	// backfillBatchChange is the GetVersion ID of the change to batches.
	backfillBatchChange = "backfill-batches"
	// backfillBatchTarget is the warehouse work one batch aims at: long
	// enough to hide the round trip, short enough that pause and cancel,
	// which let running batches finish, still answer within seconds.
	backfillBatchTarget = 1500 * time.Millisecond
	// backfillFirstBatch is the batch size before any partition was timed.
	backfillFirstBatch = 2
	// backfillMaxBatch bounds a batch's payload (a few hundred bytes per
	// partition in, out and in heartbeats) and its retry cost.
	backfillMaxBatch = 256
	// backfillMaxBatchBefore is the bound runs recorded before
	// backfillMaxBatchChange keep on replay.
	backfillMaxBatchBefore = 64
	// backfillMaxBatchChange is the GetVersion ID of the raise from 64 to
	// 256: at concurrency 1 each batch ends with a workflow task before the
	// next starts, an idle gap that fewer, longer batches pay less often.
	backfillMaxBatchChange = "backfill-max-batch-256"
	// backfillBatchHeartbeat notices a lost worker; the activity heartbeats
	// its progress every 5s.
	backfillBatchHeartbeat = 20 * time.Second
	// backfillCrashRetries are attempts beyond the partitions' own, spent
	// by worker crashes and heartbeat timeouts that no partition caused.
	backfillCrashRetries = 2
)

// batchSize is how many partitions the next activity gets: enough for
// about backfillBatchTarget of work, but never so many that the last
// partitions of the run queue behind one slot while others idle.
func (b *backfillRun) batchSize() int {
	n := b.in.PartitionsPerActivity
	if n == 0 {
		n = backfillFirstBatch
		if b.p.PartitionTime > 0 {
			n = int(backfillBatchTarget / b.p.PartitionTime)
		}
	}
	left := b.leftUpTo(b.shareLeft())
	spread := (left + b.concurrency - 1) / b.concurrency
	return max(1, min(n, b.maxBatch, spread))
}

// shareLeft is how many partitions this run may still dispatch.
func (b *backfillRun) shareLeft() int {
	limit := b.in.PartitionsPerRun
	if limit == 0 {
		limit = backfillPartitionsPerRun
	}
	return limit - b.dispatched
}

// countPartitionsUpTo counts the partitions of [from, to), stopping at limit.
func countPartitionsUpTo(g catalog.Granularity, from, to time.Time, limit int) int {
	n := 0
	for start := from; start.Before(to) && n < limit; start = g.Next(start) {
		n++
	}
	return n
}

// leftUpTo counts the partitions not yet dispatched, stopping at limit.
func (b *backfillRun) leftUpTo(limit int) int {
	if b.p.Selective {
		return b.queuedUpTo(limit)
	}
	return countPartitionsUpTo(b.gran, b.p.Next, b.in.To, limit)
}

// nextBatch takes the next partitions off the range or the selection.
func (b *backfillRun) nextBatch() []warehouse.Partition {
	n := b.batchSize()
	parts := make([]warehouse.Partition, 0, n)
	for len(parts) < n && b.hasNext() {
		if b.p.Selective {
			parts = append(parts, b.takeQueued())
			continue
		}
		p := warehouse.Partition{Column: b.in.Dataset.Partition.Column, Start: b.p.Next, End: b.gran.Next(b.p.Next)}
		parts = append(parts, p)
		b.p.Next = p.End
	}
	return parts
}

// rewriteBatch runs one batch's activity and records each partition's
// outcome. Partitions the batch left out (it stopped at a failure under
// the stop policy) stay pending; if the whole activity failed, each
// partition without an outcome is reported failed with its error.
func (b *backfillRun) rewriteBatch(ctx workflow.Context, parts []warehouse.Partition) {
	attempts := b.in.MaxAttempts
	if attempts == 0 {
		attempts = backfillDefaultAttempts
	}
	first, last := PartitionLabel(b.gran, parts[0].Start), PartitionLabel(b.gran, parts[len(parts)-1].Start)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour * time.Duration(len(parts)),
		HeartbeatTimeout:    backfillBatchHeartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: int32(attempts*len(parts) + backfillCrashRetries),
		},
		Summary: fmt.Sprintf("rewrite %s to %s (%d partitions)", first, last, len(parts)),
	})
	in := activities.RewritePartitionsInput{
		Warehouse: b.in.Dataset.Warehouse, Table: b.in.Dataset.Table, Partitions: parts,
		Select: b.sel, SourceTable: b.in.sourceTable(), RunID: b.p.LedgerRun, Validation: b.in.Validation,
		MaxAttempts: attempts, StopOnFailure: b.in.OnFailure != BackfillSkip, Dataset: b.in.Dataset.Name,
		SelectRole: b.p.SelectRole,
	}
	if b.in.publishMode() == catalog.PublishWAP {
		in.Publish, in.Checks, in.UniqueKey = catalog.PublishWAP, b.in.Dataset.Validation, b.in.Dataset.UniqueKey
	}
	var a *activities.Backfills
	var res activities.RewritePartitionsResult
	err := workflow.ExecuteActivity(ctx, a.RewritePartitions, in).Get(ctx, &res)
	b.running--
	b.runningParts -= len(parts)
	before := b.p
	b.recordBatch(parts, res.Outcomes, err)
	b.meterBackfill(ctx, before)
	b.learn(res.Outcomes)
	b.publishProgress(ctx)
	b.reportToCascade(ctx, res.Outcomes)
}

// recordBatch counts each partition of a finished batch.
func (b *backfillRun) recordBatch(parts []warehouse.Partition, outcomes []activities.PartitionOutcome, err error) {
	for i, p := range parts {
		switch {
		case i < len(outcomes) && outcomes[i].Failure != "":
			b.recordFailure(p.Start, outcomes[i].Failure)
		case i < len(outcomes):
			b.p.Done++
			b.p.Rows += outcomes[i].Rows
		case err != nil:
			b.recordFailure(p.Start, failureReason(err))
		}
	}
}

// learn folds the batch's partition times into the running average that
// sizes the next batches; halving the weight of the past lets a warehouse
// that slows down (or speeds up) be followed within a few batches.
func (b *backfillRun) learn(outcomes []activities.PartitionOutcome) {
	if len(outcomes) == 0 {
		return
	}
	var sum time.Duration
	for _, o := range outcomes {
		sum += o.Elapsed
	}
	avg := max(sum/time.Duration(len(outcomes)), time.Millisecond)
	if b.p.PartitionTime > 0 {
		avg = (b.p.PartitionTime + avg) / 2
	}
	b.p.PartitionTime = avg
}

// backfillFreezeVersion marks runs that check the SLO freeze themselves;
// older runs trusted the starter's HoldReason alone.
const backfillFreezeVersion = "backfill-checks-slo-freeze"

// backfillCatalogSLOsVersion marks runs that also ask about the freeze
// when their input's dataset has no SLOs but the worker's catalog gives
// it some; older runs took the input's word that nothing could freeze it.
const backfillCatalogSLOsVersion = "backfill-freeze-from-catalog-slos"

// holdReason is why the run must be approved before it writes: the
// starter's reason, else the dataset's SLO freeze, which the workflow asks
// the worker itself, so that the hold applies whichever client started it
// (CLI, runbook step, triage button, Temporal UI, another SDK). A dataset
// without SLOs, in the input and in the worker's catalog, has no
// evaluator to freeze it. If the freeze cannot be read, the run holds:
// writing through an unknown freeze is the worse mistake.
func (b *backfillRun) holdReason(ctx workflow.Context) string {
	if b.in.HoldReason != "" {
		return b.in.HoldReason
	}
	if len(b.in.Dataset.SLOs) == 0 && !b.catalogGivesSLOs(ctx) {
		return ""
	}
	if workflow.GetVersion(ctx, backfillFreezeVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ""
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             "check the SLO freeze of " + b.in.Dataset.Name,
	})
	var s *activities.SLOs
	var reason string
	if err := workflow.ExecuteActivity(ctx, s.FreezeReason, b.in.Dataset.Name).Get(ctx, &reason); err != nil {
		return "the SLO freeze of " + b.in.Dataset.Name + " could not be checked (" + err.Error() + ")"
	}
	return reason
}

// catalogGivesSLOs reports whether the worker's catalog (the decision
// policy's dataset) gives the dataset SLOs: a client that sends the
// dataset without its SLOs must not skip the freeze. Runs without a
// policy (recorded before the decision guard, or on a worker without
// dre.yaml) have no catalog to ask.
func (b *backfillRun) catalogGivesSLOs(ctx workflow.Context) bool {
	if b.guard.policy == nil || len(b.guard.policy.Dataset.SLOs) == 0 {
		return false
	}
	return workflow.GetVersion(ctx, backfillCatalogSLOsVersion, workflow.DefaultVersion, 1) >= 1
}
