package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Phases of a deprecation, also written to the DrePhase search attribute.
const (
	DeprecateScheduled  = "scheduled"
	DeprecateAnnounce   = "announce"
	DeprecateRemind     = "remind"
	DeprecateBrownout   = "brownout"
	DeprecateUsageGate  = "usage-gate"
	DeprecateSoftDelete = "soft-delete"
	DeprecateRetention  = "retention"
	DeprecateSnapshot   = "snapshot"
	DeprecateFinal      = "final"
	DeprecateRestore    = "restore"
	DeprecateDone       = "done"
)

// Statuses of a deprecation, also written to the DreStatus search attribute.
const (
	DeprecateRunning       = "running"
	DeprecateAwaitingOwner = "awaiting-owner"
	DeprecateCancelling    = "cancelling"
	DeprecateRestored      = "restored"
	DeprecateDropped       = "dropped"
	DeprecateArchived      = "archived"
)

// DeprecateDefaultArchiveSchema receives soft-deleted tables when the
// lifecycle names no archive_schema.
const DeprecateDefaultArchiveSchema = "dre_archive"

// deprecateMaxReminders bounds the reminders of one grace period, and so
// the history: a remind_every of minutes over weeks is a typo.
const deprecateMaxReminders = 200

// DeprecateInput asks for the deprecation of one catalog dataset, following
// its lifecycle.
type DeprecateInput struct {
	Dataset   catalog.Dataset `json:"dataset"`
	Requester string          `json:"requester,omitempty"`
	// DecisionTimeout is how long a veto or the usage gate waits for the
	// owner before the default (extend by one grace period); 0 means 7 days.
	DecisionTimeout time.Duration `json:"decisionTimeout,omitempty"`
}

// DeprecateEvent is one line of a deprecation's timeline.
type DeprecateEvent struct {
	At    time.Time `json:"at"`
	Phase string    `json:"phase"`
	What  string    `json:"what"`
	By    string    `json:"by,omitempty"`
}

// DeprecatePause says why a deprecation waits for its owner.
type DeprecatePause struct {
	// Kind is "veto" or "usage".
	Kind     string    `json:"kind"`
	Reason   string    `json:"reason"`
	By       string    `json:"by,omitempty"`
	Since    time.Time `json:"since"`
	Deadline time.Time `json:"deadline"`
}

// DeprecateStatus is what the status query returns, and the result.
type DeprecateStatus struct {
	Dataset string `json:"dataset"`
	Table   string `json:"table"`
	Phase   string `json:"phase"`
	Status  string `json:"status"`
	// RetiresAt is when the grace period ends and the soft delete may run.
	RetiresAt time.Time `json:"retiresAt,omitzero"`
	// DropAt is when the soft-deleted table meets its final action.
	DropAt    time.Time       `json:"dropAt,omitzero"`
	Consumers []string        `json:"consumers,omitempty"`
	Acked     []string        `json:"acked,omitempty"`
	Reminders int             `json:"reminders"`
	Pause     *DeprecatePause `json:"pause,omitempty"`
	// Archived is where the soft-deleted table is, Snapshot its copy.
	Archived string `json:"archived,omitempty"`
	Snapshot string `json:"snapshot,omitempty"`
	// Original is the table's metadata before the deprecation touched it:
	// what a cancel or a restore puts back.
	Original *warehouse.TableMeta `json:"original,omitempty"`
	// Restorable is set at the soft delete: the metadata a restore after
	// the drop (RestoreDeprecated) puts on the table it recreates. It only
	// changes the result, no command, so old histories replay unchanged.
	Restorable *warehouse.TableMeta `json:"restorable,omitempty"`
	Timeline   []DeprecateEvent     `json:"timeline"`
}

// Deprecate runs a dataset's lifecycle: announce, remind, brown out, check
// usage, soft delete, wait, snapshot and drop (or archive). Until the drop
// a cancel puts the table back exactly as it was.
func Deprecate(ctx workflow.Context, in DeprecateInput) (DeprecateStatus, error) {
	if err := in.validate(); err != nil {
		return DeprecateStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	d := newDeprecation(in)
	if err := d.registerHandlers(ctx); err != nil {
		return d.s, err
	}
	err := d.run(ctx)
	return d.s, err
}

func (in DeprecateInput) validate() error {
	ds := in.Dataset
	if ds.Name == "" || ds.Warehouse == "" || ds.Table == "" {
		return fmt.Errorf("deprecate needs a catalog dataset with a name, a warehouse and a table")
	}
	l := ds.Lifecycle
	if l == nil {
		return fmt.Errorf("dataset %s has no lifecycle; add lifecycle: (deprecate_on, final_action) to it in dre.yaml", ds.Name)
	}
	if l.DeprecateOn.IsZero() || !l.FinalAction.Valid() {
		return fmt.Errorf("dataset %s: lifecycle needs deprecate_on and final_action (drop or archive)", ds.Name)
	}
	if l.RemindEvery.Duration > 0 && l.GracePeriod.Duration/l.RemindEvery.Duration > deprecateMaxReminders {
		return fmt.Errorf("dataset %s: remind_every %s gives more than %d reminders over grace_period %s; remind less often",
			ds.Name, l.RemindEvery, deprecateMaxReminders, l.GracePeriod)
	}
	return nil
}
