package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
)

// backfillCascadeMaxPartitions bounds a cascade's partitions over all its
// datasets: the cascade keeps one history for the whole run (a few events
// per batch of each child), which must stay far below Temporal's limits.
const backfillCascadeMaxPartitions = 5000

// BackfillCascadeInput asks for the backfill of a dataset over [From, To)
// and of every dataset downstream of it, each over the partitions that
// cover the range at its own granularity.
type BackfillCascadeInput struct {
	// Dataset is the root, a dataset of the worker's catalog; the
	// downstream datasets come from the worker's lineage.
	Dataset string    `json:"dataset"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	// Concurrency, OnFailure, MaxAttempts and PartitionsPerActivity apply
	// to each dataset's backfill (see BackfillInput).
	Concurrency           int    `json:"concurrency,omitempty"`
	OnFailure             string `json:"onFailure,omitempty"`
	MaxAttempts           int    `json:"maxAttempts,omitempty"`
	PartitionsPerActivity int    `json:"partitionsPerActivity,omitempty"`
	// Budget is compared with the whole cascade's estimated cost; above
	// it, one approval (backfill.approve for every dataset) is needed.
	Budget          float64       `json:"budget,omitempty"`
	ApprovalTimeout time.Duration `json:"approvalTimeout,omitempty"`
	// DryRun plans and estimates the cascade, writing nothing.
	DryRun    bool   `json:"dryRun,omitempty"`
	Requester string `json:"requester,omitempty"`
}

// CascadeDatasetStatus is one dataset of a cascade.
type CascadeDatasetStatus struct {
	Dataset     string              `json:"dataset"`
	Table       string              `json:"table"`
	Granularity catalog.Granularity `json:"granularity"`
	// Upstream are the datasets of the cascade this one reads.
	Upstream []string  `json:"upstream,omitempty"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Total    int       `json:"total"`
	// Fed partitions were handed to the dataset's backfill once their
	// upstream partitions were written; Blocked never will be, because
	// an upstream partition failed or was not written.
	Fed     int           `json:"fed"`
	Done    int           `json:"done"`
	Failed  int           `json:"failed"`
	Blocked int           `json:"blocked,omitempty"`
	Status  string        `json:"status"`
	Plan    *BackfillPlan `json:"plan,omitempty"`
	// Error is why the dataset's backfill ended with an error.
	Error string `json:"error,omitempty"`
}

// BackfillCascadeStatus answers the status query and every control update.
type BackfillCascadeStatus struct {
	Dataset  string                 `json:"dataset"`
	Status   string                 `json:"status"`
	From     time.Time              `json:"from"`
	To       time.Time              `json:"to"`
	Datasets []CascadeDatasetStatus `json:"datasets"`
	// Amount is the whole cascade's estimated cost, in budget units.
	Amount    float64       `json:"amount,omitempty"`
	Budget    float64       `json:"budget,omitempty"`
	Approver  string        `json:"approver,omitempty"`
	StartedAt time.Time     `json:"startedAt"`
	Elapsed   time.Duration `json:"elapsed"`
}

// BackfillCascade backfills a dataset and, through the worker's lineage,
// every dataset downstream of it: it plans them all, checks every
// dataset's SLO freeze and the whole cost against one budget, takes one
// approval if needed, then runs one child backfill per dataset
// (backfill/<dataset>) and feeds each downstream child a partition as
// soon as the upstream partitions it reads are written. Pause, resume and
// cancel apply to every child.
func BackfillCascade(ctx workflow.Context, in BackfillCascadeInput) (BackfillCascadeStatus, error) {
	if err := in.validate(); err != nil {
		return BackfillCascadeStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	c := newCascadeRun(ctx, in)
	c.guard.start(ctx)
	if err := c.registerHandlers(ctx); err != nil {
		return BackfillCascadeStatus{}, err
	}
	if err := c.load(ctx); err != nil {
		return c.finish(ctx, BackfillFailed), err
	}
	if stop, err := c.prepare(ctx); stop || err != nil {
		return c.finish(ctx, c.status), err
	}
	if err := c.startChildren(ctx); err != nil {
		return c.finish(ctx, BackfillFailed), err
	}
	c.setStatus(ctx, BackfillRunning)
	if err := c.run(ctx); err != nil {
		return c.finish(ctx, BackfillCancelled), err
	}
	return c.finish(ctx, c.outcome()), nil
}

// cascadeRun is a cascade's state.
type cascadeRun struct {
	in        BackfillCascadeInput
	id        string
	nodes     []*cascadeNode
	byName    map[string]int
	status    string
	cancelled bool
	paused    bool
	amount    float64
	approver  string
	startedAt time.Time
	guard     decisionGuard
	// approvalRule and approvalWhy are what the awaited approval is for.
	approvalRule, approvalWhy string
}

func newCascadeRun(ctx workflow.Context, in BackfillCascadeInput) *cascadeRun {
	return &cascadeRun{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, status: BackfillPlanning,
		byName: map[string]int{}, startedAt: workflow.Now(ctx)}
}

func (in BackfillCascadeInput) validate() error {
	switch {
	case in.Dataset == "":
		return errors.New("a cascade needs the name of the dataset it starts from")
	case !in.From.Before(in.To):
		return fmt.Errorf("from %s is not before to %s", in.From.Format(time.RFC3339), in.To.Format(time.RFC3339))
	case in.Budget < 0 || in.MaxAttempts < 0:
		return errors.New("budget and max attempts cannot be negative")
	}
	return nil
}

// finish settles the status and answers with it.
func (c *cascadeRun) finish(ctx workflow.Context, status string) BackfillCascadeStatus {
	c.setStatus(ctx, status)
	return c.snapshot(ctx)
}

// outcome is the cascade's status once every child ended: the worst of
// its datasets', where a blocked partition makes it partial.
func (c *cascadeRun) outcome() string {
	worst := BackfillDone
	rank := map[string]int{BackfillDone: 0, BackfillPartial: 1, BackfillCancelled: 2, BackfillFailed: 3}
	for _, n := range c.nodes {
		s := n.status
		if s == BackfillDone && n.blocked() > 0 {
			s = BackfillPartial
		}
		if _, known := rank[s]; !known {
			s = BackfillFailed
		}
		if rank[s] > rank[worst] {
			worst = s
		}
	}
	if c.cancelled && worst != BackfillFailed {
		return BackfillCancelled
	}
	return worst
}
