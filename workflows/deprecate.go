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
	// Downstream are the datasets the catalog's lineage says are computed
	// from this one, as the starter found them: the usage gate holds while
	// any is there, even when nobody read the table in the window.
	Downstream []catalog.Dataset `json:"downstream,omitempty"`
}

// DeprecateEvent is one line of a deprecation's timeline.
type DeprecateEvent struct {
	At    time.Time `json:"at"`
	Phase string    `json:"phase"`
	What  string    `json:"what"`
	By    string    `json:"by,omitempty"`
	// Evidence proves By took the decision: the fingerprint of the key
	// that signed it, or "unverified"; empty for events nobody decided.
	Evidence string `json:"evidence,omitempty"`
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
	// Withheld are the grants a brownout's end or a restore did not give
	// back because they were no longer allowed, each with the reason.
	Withheld []activities.WithheldGrant `json:"withheld,omitempty"`
	Timeline []DeprecateEvent           `json:"timeline"`
}

// Deprecate runs a dataset's lifecycle: announce, remind, brown out, check
// usage, soft delete, wait, snapshot and drop (or archive). Until the drop
// a cancel puts the table back exactly as it was.
func Deprecate(ctx workflow.Context, in DeprecateInput) (DeprecateStatus, error) {
	if err := in.validate(); err != nil {
		return DeprecateStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	d := newDeprecation(in)
	d.guard.start(ctx)
	if err := d.registerHandlers(ctx); err != nil {
		return d.s, err
	}
	if err := d.guard.load(ctx, in.Dataset.Name); err != nil {
		return d.s, err
	}
	err := d.run(ctx)
	// A decision's handler may still be writing its audit record.
	if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err == nil {
		err = werr
	}
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

// deprecateDefaultDecisionTimeout is how long the owner has to decide on a
// veto or a busy usage gate before the default applies.
const deprecateDefaultDecisionTimeout = 7 * 24 * time.Hour

// deprecation is one run of Deprecate.
type deprecation struct {
	in   DeprecateInput
	life catalog.Lifecycle
	s    DeprecateStatus
	// brownouts are the windows still to come, in start order.
	brownouts  []catalog.Brownout
	nextRemind time.Time
	// cancelled is set by the cancel update; every wait wakes on it.
	cancelled bool
	// remark is set when the retire date moved and the table's comment
	// and label must say so.
	remark bool
	// atSoftDelete is the metadata read just before the soft delete; a
	// cancel gives back its grants, including any added during the grace.
	atSoftDelete *warehouse.TableMeta
	// slackNoted is set once the timeline says Slack is not configured.
	slackNoted bool
	// guard proves who sends the updates and applies the authz: policy;
	// its policy is nil in runs recorded before it.
	guard decisionGuard
}

func newDeprecation(in DeprecateInput) *deprecation {
	if in.DecisionTimeout <= 0 {
		in.DecisionTimeout = deprecateDefaultDecisionTimeout
	}
	return &deprecation{in: in, life: *in.Dataset.Lifecycle, s: DeprecateStatus{
		Dataset: in.Dataset.Name, Table: in.Dataset.Table, Phase: DeprecateScheduled, Status: DeprecateRunning,
		Timeline: []DeprecateEvent{},
	}}
}

// run takes the phases in order; after each, a cancel restores the table.
func (d *deprecation) run(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 10},
	})
	err := workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindDeprecate), DatasetKey.ValueSet(d.s.Dataset),
		RequesterKey.ValueSet(d.in.Requester))
	if err != nil {
		return err
	}
	steps := []func(workflow.Context) error{d.waitForDate, d.announce, d.graceAndGate, d.softDelete, d.retention, d.finish}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return d.failed(ctx, err)
		}
		if d.cancelled {
			return d.restore(ctx)
		}
	}
	return nil
}

// failed restores the table when the run itself was cancelled (from the
// Temporal UI) before anything irreversible happened.
func (d *deprecation) failed(ctx workflow.Context, err error) error {
	if !temporal.IsCanceledError(err) || d.irreversible() {
		return err
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	d.cancelled = true
	d.record(dctx, "the run was cancelled; restoring the table", "")
	if rerr := d.restore(dctx); rerr != nil {
		return rerr
	}
	return err
}

// irreversible is true once the snapshot or the drop has begun.
func (d *deprecation) irreversible() bool {
	switch d.s.Phase {
	case DeprecateSnapshot, DeprecateFinal, DeprecateDone:
		return true
	}
	return false
}

// setPhase publishes the phase, the status and the next deadline.
func (d *deprecation) setPhase(ctx workflow.Context, phase string, deadline time.Time) {
	d.s.Phase = phase
	d.publish(ctx, deadline)
}

// publish writes the search attributes; a failure to upsert is logged,
// never fatal: visibility must not stop a deprecation.
func (d *deprecation) publish(ctx workflow.Context, deadline time.Time) {
	attrs := []temporal.SearchAttributeUpdate{PhaseKey.ValueSet(d.s.Phase), StatusKey.ValueSet(d.s.Status)}
	if deadline.IsZero() {
		attrs = append(attrs, DeadlineKey.ValueUnset())
	} else {
		attrs = append(attrs, DeadlineKey.ValueSet(deadline))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, attrs...); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "error", err)
	}
}

// record adds a line to the timeline.
func (d *deprecation) record(ctx workflow.Context, what, by string) {
	d.recordDecision(ctx, what, decider{name: by})
}

// recordDecision adds a decision to the timeline, with its evidence.
func (d *deprecation) recordDecision(ctx workflow.Context, what string, who decider) {
	d.s.Timeline = append(d.s.Timeline, DeprecateEvent{At: workflow.Now(ctx), Phase: d.s.Phase, What: what, By: who.name, Evidence: who.evidence})
}

// sleepUntil waits on a durable timer until t, returning early on a cancel
// or when wake reports true.
func (d *deprecation) sleepUntil(ctx workflow.Context, t time.Time, wake func() bool) error {
	for {
		now := workflow.Now(ctx)
		woken := func() bool { return d.cancelled || (wake != nil && wake()) }
		if !now.Before(t) || woken() {
			return nil
		}
		if _, err := workflow.AwaitWithTimeout(ctx, t.Sub(now), woken); err != nil {
			return err
		}
	}
}

// waitForDate sleeps until deprecate_on when started early.
func (d *deprecation) waitForDate(ctx workflow.Context) error {
	on := d.life.DeprecateOn.Time()
	if !workflow.Now(ctx).Before(on) {
		return nil
	}
	d.setPhase(ctx, DeprecateScheduled, on)
	d.record(ctx, "waiting for deprecate_on "+d.life.DeprecateOn.String(), d.in.Requester)
	return d.sleepUntil(ctx, on, nil)
}

// act runs one warehouse activity of the deprecation.
func (d *deprecation) act(ctx workflow.Context, summary string, fn, in, out any) error {
	ctx = workflow.WithActivityOptions(ctx, activityOptionsWithSummary(ctx, summary))
	return workflow.ExecuteActivity(ctx, fn, in).Get(ctx, out)
}

// activityOptionsWithSummary copies ctx's options with a summary, so each
// step reads well in the Temporal UI.
func activityOptionsWithSummary(ctx workflow.Context, summary string) workflow.ActivityOptions {
	opts := workflow.GetActivityOptions(ctx)
	opts.Summary = summary
	return opts
}

// target names the dataset's table for the activities.
func (d *deprecation) target() activities.DeprecateTable {
	return activities.DeprecateTable{Warehouse: d.in.Dataset.Warehouse, Table: d.in.Dataset.Table}
}
