package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// CheckInput asks for a health check of one catalog dataset: does the table
// exist, how many rows, how fresh is it against its freshness SLO.
type CheckInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	// Watch keeps checking every Every until the run is cancelled.
	Watch bool          `json:"watch,omitempty"`
	Every time.Duration `json:"every,omitempty"`
	// Rounds carries the count of rounds across continue-as-new.
	Rounds int `json:"rounds,omitempty"`
}

// Check statuses, also written to the DreStatus search attribute.
const (
	CheckRunning = "running"
	CheckOK      = "ok"
	CheckStale   = "stale"
	CheckEmpty   = "empty"
	CheckMissing = "missing"
)

// CheckResult is the outcome of the latest round; the status query returns it too.
type CheckResult struct {
	Dataset   string        `json:"dataset"`
	Table     string        `json:"table"`
	Status    string        `json:"status"`
	Rows      int64         `json:"rows"`
	Latest    *time.Time    `json:"latest,omitempty"`
	Lag       time.Duration `json:"lag,omitempty"`
	MaxLag    time.Duration `json:"maxLag,omitempty"`
	CheckedAt time.Time     `json:"checkedAt"`
	Rounds    int           `json:"rounds"`
	// Unpublished are partitions that failed write-audit-publish
	// validation and are not yet fixed: readers still see their old rows.
	Unpublished []warehouse.UnpublishedPartition `json:"unpublished,omitempty"`
}

// checkRoundsPerRun bounds a watch's history: each round adds about a dozen
// events, so a run continues as new long before Temporal's warnings.
const checkRoundsPerRun = 200

// Check probes a dataset once, or on a durable timer when watching.
func Check(ctx workflow.Context, in CheckInput) (CheckResult, error) {
	if err := in.validate(); err != nil {
		return CheckResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	c := &checkRun{in: in, result: CheckResult{
		Dataset: in.Dataset.Name, Table: in.Dataset.Table, Status: CheckRunning, Rounds: in.Rounds,
	}}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (CheckResult, error) { return c.result, nil }); err != nil {
		return CheckResult{}, err
	}
	for {
		if err := c.round(ctx); err != nil {
			return c.result, err
		}
		if !in.Watch {
			return c.result, nil
		}
		if c.result.Rounds-in.Rounds >= checkRoundsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := in
			next.Rounds = c.result.Rounds
			return c.result, workflow.NewContinueAsNewError(ctx, CheckWorkflowName, next)
		}
		if err := c.wait(ctx); err != nil {
			return c.result, err
		}
	}
}

func (in CheckInput) validate() error {
	if in.Dataset.Name == "" || in.Dataset.Warehouse == "" || in.Dataset.Table == "" {
		return fmt.Errorf("check needs a catalog dataset with a name, a warehouse and a table")
	}
	if in.Watch && in.Every < time.Second {
		return fmt.Errorf("watch interval %s is too short; use at least 1s", in.Every)
	}
	return nil
}

type checkRun struct {
	in     CheckInput
	result CheckResult
}

// round probes the table once and publishes the verdict.
func (c *checkRun) round(ctx workflow.Context) error {
	ds := c.in.Dataset
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             "probe " + ds.Table,
	})
	var a *activities.Checks
	var probe activities.ProbeTableResult
	in := activities.ProbeTableInput{Warehouse: ds.Warehouse, Table: ds.Table, FreshnessColumn: ds.FreshnessColumn}
	if err := workflow.ExecuteActivity(ctx, a.ProbeTable, in).Get(ctx, &probe); err != nil {
		return err
	}
	c.result = verdict(c.result, probe, freshnessThreshold(ds))
	c.result.Rounds++
	return workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindCheck), DatasetKey.ValueSet(ds.Name), StatusKey.ValueSet(c.result.Status))
}

// verdict turns a probe into a status.
func verdict(prev CheckResult, p activities.ProbeTableResult, maxLag time.Duration) CheckResult {
	r := prev
	r.Rows, r.Latest, r.CheckedAt, r.MaxLag, r.Lag = p.Rows, p.Latest, p.ProbedAt, maxLag, 0
	r.Unpublished = p.Unpublished
	switch {
	case !p.Exists:
		r.Status = CheckMissing
	case p.Rows == 0:
		r.Status = CheckEmpty
	default:
		r.Status = CheckOK
		if p.Latest != nil {
			r.Lag = p.ProbedAt.Sub(*p.Latest)
		}
		if maxLag > 0 && p.Latest != nil && r.Lag > maxLag {
			r.Status = CheckStale
		}
	}
	return r
}

// freshnessThreshold is the lag allowed by the dataset's first freshness SLO.
func freshnessThreshold(ds catalog.Dataset) time.Duration {
	for _, slo := range ds.SLOs {
		if slo.Kind == catalog.Freshness {
			return slo.Threshold.Duration
		}
	}
	return 0
}

// wait sleeps until the next round on a durable timer.
func (c *checkRun) wait(ctx workflow.Context) error {
	opts := workflow.TimerOptions{Summary: "next check in " + c.in.Every.String()}
	return workflow.NewTimerWithOptions(ctx, c.in.Every, opts).Get(ctx, nil)
}
