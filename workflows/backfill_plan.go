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
	parts := PlanPartitions(b.gran, b.in.Dataset.Partition.Column, b.in.From, b.in.To, backfillPlanDetail)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
		Summary:             fmt.Sprintf("estimate %d partitions of %s", len(parts), b.in.Dataset.Table),
	})
	var a *activities.Backfills
	var res activities.EstimatePartitionsResult
	in := activities.EstimatePartitionsInput{Warehouse: b.in.Dataset.Warehouse, Select: b.sel, Partitions: parts}
	if err := workflow.ExecuteActivity(ctx, a.EstimatePartitions, in).Get(ctx, &res); err != nil {
		return err
	}
	b.plan = summarisePlan(parts, res.Costs, b.total)
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
