package workflows

import (
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// BackfillWorkflowName is the registered name of the backfill workflow, so
// that runbooks can start it as a child without a compile-time reference.
const BackfillWorkflowName = "Backfill"

// BackfillInput asks for a backfill of one dataset's partitions in
// [From, To), at the dataset's partition granularity.
type BackfillInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	// Select produces one partition and reads its bounds as {{ .From }}
	// and {{ .To }} (@from and @to still work, deprecated); "" uses the
	// dataset's source (catalog), rendered the same way.
	Select string `json:"select,omitempty"`
	// Concurrency is how many partitions are rewritten at once (default 4).
	Concurrency int `json:"concurrency,omitempty"`
	// DryRun plans and estimates cost, writing nothing.
	DryRun bool `json:"dryRun,omitempty"`
	// Requester is who asked (a Slack user, a runbook run, a CLI user).
	Requester string `json:"requester,omitempty"`

	// OnFailure is what a partition that still fails after MaxAttempts
	// does to the run: BackfillStop (default) or BackfillSkip.
	OnFailure string `json:"onFailure,omitempty"`
	// MaxAttempts bounds the attempts at one partition (default 3).
	MaxAttempts int `json:"maxAttempts,omitempty"`
	// Validation checks each partition after it is written; zero checks
	// nothing beyond the rewrite itself.
	Validation BackfillValidation `json:"validation,omitzero"`
	// Budget is the estimated cost above which the run waits for an
	// approve update, in the warehouse's estimate unit: bytes scanned
	// (BigQuery) or planner cost units (PostgreSQL). 0 means no budget.
	Budget float64 `json:"budget,omitempty"`
	// HoldReason, when set, makes the run wait for an approval before it
	// writes anything, whatever its cost: an exhausted SLO error budget
	// freezes risky operations on the dataset (see SLOFrozenQuery).
	HoldReason string `json:"holdReason,omitempty"`
	// ApprovalTimeout is how long an over-budget run waits for approval
	// before it ends without writing anything (default 72h).
	ApprovalTimeout time.Duration `json:"approvalTimeout,omitempty"`

	// PartitionsPerRun is how many partitions one run dispatches before it
	// continues as new (default 500); tests lower it.
	PartitionsPerRun int `json:"partitionsPerRun,omitempty"`
	// PartitionsPerActivity fixes how many partitions one activity
	// rewrites, 1 to 256; 0 sizes batches to about a second and a half of
	// warehouse work each, from the partitions' measured times.
	PartitionsPerActivity int `json:"partitionsPerActivity,omitempty"`

	// Progress carries the state of a backfill across continue-as-new; it
	// is nil when a backfill starts.
	Progress *BackfillProgress `json:"progress,omitempty"`
}

// BackfillValidation is how each partition is checked after its rewrite.
type BackfillValidation = activities.BackfillValidation

// Validation kinds of BackfillValidation.Kind.
const (
	ValidateRowCount = activities.ValidateRowCount
	ValidateChecksum = activities.ValidateChecksum
	ValidateSQL      = activities.ValidateSQL
)

// Failure policies of BackfillInput.OnFailure.
const (
	// BackfillStop stops dispatching at the first failed partition, lets
	// the running ones finish, and reports.
	BackfillStop = "stop"
	// BackfillSkip records a failed partition and carries on with the rest.
	BackfillSkip = "skip"
)

// BackfillProgress is what one run of a long backfill hands the next.
type BackfillProgress struct {
	// LedgerRun keys the warehouse ledger: the first run's ID, so that
	// retries and later runs of the same backfill never apply a
	// partition twice.
	LedgerRun string    `json:"ledgerRun"`
	StartedAt time.Time `json:"startedAt"`
	// Next is the start of the first partition not yet dispatched.
	Next     time.Time         `json:"next"`
	Done     int               `json:"done"`
	Failed   int               `json:"failed"`
	Rows     int64             `json:"rows"`
	Failures []BackfillFailure `json:"failures,omitempty"`
	Paused   bool              `json:"paused,omitempty"`
	Approver string            `json:"approver,omitempty"`
	Runs     int               `json:"runs"`
	// PartitionTime is the average time one partition has taken, which
	// sizes the batches; carried so a new run does not start over small.
	PartitionTime time.Duration `json:"partitionTime,omitempty"`
}

// BackfillWorkflowID is the ID of a dataset's backfill: one at a time per table.
func BackfillWorkflowID(dataset string) string { return "backfill/" + dataset }

// BackfillPlanWorkflowID is the ID of a dataset's dry run, separate from
// BackfillWorkflowID so that a plan can be made while a backfill runs.
func BackfillPlanWorkflowID(dataset string) string { return "backfill-plan/" + dataset }
