package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Updates a deprecation accepts. Validators reject what makes no sense
// now (extend a soft-deleted table, continue when nothing is paused), so
// bad requests never reach the history.
const (
	DeprecateAckUpdate      = "ack"
	DeprecateExtendUpdate   = "extend"
	DeprecateVetoUpdate     = "veto"
	DeprecateContinueUpdate = "continue"
	DeprecateCancelUpdate   = "cancel"
)

// DeprecateAction is who does what, and why. A signed action proves who
// sent it: Signature is an armored SSH signature by one of By's keys over
// decision.Decision{WorkflowID: the deprecation's ID, Action: the update's
// name, Target: DeprecateTarget(dataset, action), Decider: By, At, Nonce}.
// Without one it counts only where the worker's dre.yaml sets
// decisions.allow_unsigned, and is recorded as unverified.
type DeprecateAction struct {
	// By is who acts: their person ID under people: in dre.yaml (for
	// unsigned actions also a Slack user ID or cli:<name>).
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
	// Until is the new retire date of an extension.
	Until time.Time `json:"until,omitzero"`
	// Proof proves By sent it; its fields are inline in the JSON.
	Proof
}

// registerHandlers installs the status query and the updates.
func (d *deprecation) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (DeprecateStatus, error) { return d.s, nil }); err != nil {
		return err
	}
	updates := []struct {
		name      string
		handler   func(workflow.Context, DeprecateAction) (DeprecateStatus, error)
		validator func(workflow.Context, DeprecateAction) error
	}{
		{DeprecateAckUpdate, d.onAck, d.validateAck},
		{DeprecateExtendUpdate, d.onExtend, d.validateExtend},
		{DeprecateVetoUpdate, d.onVeto, d.validateVeto},
		{DeprecateContinueUpdate, d.onContinue, d.validateContinue},
		{DeprecateCancelUpdate, d.onCancel, d.validateCancel},
	}
	for _, u := range updates {
		opts := workflow.UpdateHandlerOptions{Validator: u.validator}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, opts); err != nil {
			return err
		}
	}
	return nil
}

// validateOpen rejects anything once the deprecation is ending.
func (d *deprecation) validateOpen(a DeprecateAction) error {
	switch {
	case a.By == "" && a.Via == "":
		return errors.New("say who acts: DeprecateAction.By is empty")
	case d.cancelled:
		return errors.New("the deprecation was cancelled; the table is being restored")
	case d.irreversible():
		return fmt.Errorf("too late: the deprecation is in its %s phase", d.s.Phase)
	}
	return nil
}

func (d *deprecation) validateAck(ctx workflow.Context, a DeprecateAction) error {
	if err := d.validateOpen(a); err != nil {
		return err
	}
	by, err := d.vet(ctx, DeprecateAckUpdate, a)
	if err != nil {
		return err
	}
	if slices.Contains(d.s.Acked, by) {
		return fmt.Errorf("%s has already acknowledged", by)
	}
	return nil
}

func (d *deprecation) onAck(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	who, err := d.accepted(ctx, DeprecateAckUpdate, a)
	if err != nil {
		return d.s, err
	}
	d.s.Acked = append(d.s.Acked, who.name)
	d.recordDecision(ctx, "acknowledged", who)
	d.audit(ctx, DeprecateAckUpdate, who, a)
	return d.s, nil
}

func (d *deprecation) validateExtend(ctx workflow.Context, a DeprecateAction) error {
	if err := d.validateOpen(a); err != nil {
		return err
	}
	if d.s.Archived != "" {
		return fmt.Errorf("%s is soft-deleted already; cancel to restore it, or veto to hold the drop", d.s.Table)
	}
	if !a.Until.After(d.s.RetiresAt) || !a.Until.After(workflow.Now(ctx)) {
		return fmt.Errorf("extend to %s: pick a date after the current retirement, %s", a.Until.UTC().Format(time.DateOnly), d.retireDay())
	}
	_, err := d.vet(ctx, DeprecateExtendUpdate, a)
	return err
}

func (d *deprecation) onExtend(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	who, err := d.accepted(ctx, DeprecateExtendUpdate, a)
	if err != nil {
		return d.s, err
	}
	d.s.RetiresAt, d.s.Pause, d.remark = a.Until, nil, true
	d.s.Status = DeprecateRunning
	d.recordDecision(ctx, "extended to "+d.retireDay()+reasonSuffix(a), who)
	d.audit(ctx, DeprecateExtendUpdate, who, a)
	return d.s, nil
}

func (d *deprecation) validateVeto(ctx workflow.Context, a DeprecateAction) error {
	if err := d.validateOpen(a); err != nil {
		return err
	}
	if a.Reason == "" {
		return errors.New("a veto needs a reason, for the owner who decides")
	}
	if d.s.Pause != nil {
		return fmt.Errorf("already paused (%s: %s); the owner decides", d.s.Pause.Kind, d.s.Pause.Reason)
	}
	_, err := d.vet(ctx, DeprecateVetoUpdate, a)
	return err
}

func (d *deprecation) onVeto(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	who, err := d.accepted(ctx, DeprecateVetoUpdate, a)
	if err != nil {
		return d.s, err
	}
	d.s.Pause = &DeprecatePause{Kind: DeprecatePauseVeto, Reason: a.Reason, By: who.name, Since: workflow.Now(ctx)}
	d.recordDecision(ctx, "vetoed: "+a.Reason, who)
	d.audit(ctx, DeprecateVetoUpdate, who, a)
	return d.s, nil
}

func (d *deprecation) validateContinue(ctx workflow.Context, a DeprecateAction) error {
	if err := d.validateOpen(a); err != nil {
		return err
	}
	if d.s.Pause == nil {
		return errors.New("nothing to continue: the deprecation is not paused")
	}
	if err := d.guard.ready(); err != nil {
		return err
	}
	if d.guard.policy != nil {
		_, err := d.vet(ctx, DeprecateContinueUpdate, a)
		return err
	}
	if by := legacyDecider(a.By, a.Proof); len(d.life.Approvers) > 0 && !slices.Contains(d.life.Approvers, by) {
		return fmt.Errorf("%s may not decide; the lifecycle's approvers are %v", by, d.life.Approvers)
	}
	return nil
}

func (d *deprecation) onContinue(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	who, err := d.accepted(ctx, DeprecateContinueUpdate, a)
	if err != nil {
		return d.s, err
	}
	d.recordDecision(ctx, "continued after "+d.s.Pause.Kind+reasonSuffix(a), who)
	d.s.Pause = nil
	d.s.Status = DeprecateRunning
	d.audit(ctx, DeprecateContinueUpdate, who, a)
	return d.s, nil
}

func (d *deprecation) validateCancel(ctx workflow.Context, a DeprecateAction) error {
	if err := d.validateOpen(a); err != nil {
		return err
	}
	_, err := d.vet(ctx, DeprecateCancelUpdate, a)
	return err
}

func (d *deprecation) onCancel(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	who, err := d.accepted(ctx, DeprecateCancelUpdate, a)
	if err != nil {
		return d.s, err
	}
	d.cancelled = true
	d.s.Status = DeprecateCancelling
	d.recordDecision(ctx, "cancelled"+reasonSuffix(a), who)
	d.audit(ctx, DeprecateCancelUpdate, who, a)
	return d.s, nil
}

func reasonSuffix(a DeprecateAction) string {
	if a.Reason == "" {
		return ""
	}
	return ": " + a.Reason
}

// Kinds of pause.
const (
	DeprecatePauseVeto  = "veto"
	DeprecatePauseUsage = "usage"
)

// usageGate pauses for the owner when the table was read within the
// lifecycle's usage_gate. passed is true when the soft delete may go on:
// nobody read the table, or the owner said continue.
func (d *deprecation) usageGate(ctx workflow.Context) (passed bool, err error) {
	window := d.life.UsageGate.Duration
	if window <= 0 {
		return true, nil
	}
	d.setPhase(ctx, DeprecateUsageGate, time.Time{})
	now := workflow.Now(ctx)
	var a *activities.Deprecations
	var usage warehouse.Usage
	in := activities.DeprecateUsageInput{DeprecateTable: d.target(), Since: now.Add(-window)}
	if err := d.act(ctx, "count the reads of "+d.s.Table, a.DeprecateReadUsage, in, &usage); err != nil {
		return false, err
	}
	var reasons []string
	if usage.Reads > 0 {
		reasons = append(reasons, fmt.Sprintf("%s was read %d times in the last %s", d.s.Table, usage.Reads, d.life.UsageGate))
	}
	if usage.Unread != "" { // not knowing the readers is not knowing there are none
		reasons = append(reasons, fmt.Sprintf("the reads of %s could not all be counted (%s)", d.s.Table, usage.Unread))
	}
	if d.holdsForDownstream(ctx) {
		reasons = append(reasons, downstreamReason(d.s.Table, d.in.Downstream))
	}
	if len(reasons) == 0 {
		d.record(ctx, fmt.Sprintf("no reads in the last %s", d.life.UsageGate), "")
		return true, nil
	}
	reason := strings.Join(reasons, "; ")
	d.s.Pause = &DeprecatePause{Kind: DeprecatePauseUsage, Reason: reason, Since: now}
	d.record(ctx, reason+"; asking the owner", "")
	d.tellOwner(ctx, fmt.Sprintf(":raised_hand: %s. Soft delete is paused: `dre deprecate continue %s` to go on, or `dre deprecate extend %s --until YYYY-MM-DD`.",
		reason, d.s.Dataset, d.s.Dataset))
	if err := d.decide(ctx); err != nil || d.cancelled {
		return false, err
	}
	// An extension moved the retire date ahead; a continue left it behind.
	return !workflow.Now(ctx).Before(d.s.RetiresAt), nil
}

// decide waits for the owner to continue, extend or cancel. Without an
// answer by the deadline the default applies: somebody objected, so the
// table is kept one more grace period (or retention period, once it is
// soft-deleted) and the question comes back then.
func (d *deprecation) decide(ctx workflow.Context) error {
	p := d.s.Pause
	p.Deadline = workflow.Now(ctx).Add(d.in.DecisionTimeout)
	d.s.Status = DeprecateAwaitingOwner
	d.publish(ctx, p.Deadline)
	answered, err := workflow.AwaitWithTimeout(ctx, d.in.DecisionTimeout, func() bool { return d.s.Pause != p || d.cancelled })
	if err != nil {
		return err
	}
	if !answered {
		d.s.Pause = nil
		d.extendByDefault(ctx)
	}
	if !d.cancelled {
		d.s.Status = DeprecateRunning
		d.publish(ctx, d.deadline())
	}
	return nil
}

// extendByDefault applies the default of an unanswered pause.
func (d *deprecation) extendByDefault(ctx workflow.Context) {
	now := workflow.Now(ctx)
	if d.s.Archived != "" {
		d.s.DropAt = now.Add(max(d.life.SoftDeleteRetention.Duration, d.in.DecisionTimeout))
		d.record(ctx, "no decision by the deadline: the drop moves to "+d.s.DropAt.UTC().Format(time.RFC3339), "")
		return
	}
	d.s.RetiresAt = now.Add(max(d.life.GracePeriod.Duration, d.in.DecisionTimeout))
	d.remark = true
	d.record(ctx, "no decision by the deadline: retirement moves to "+d.retireDay(), "")
}

// deadline is the next date the current phase waits for.
func (d *deprecation) deadline() time.Time {
	switch d.s.Phase {
	case DeprecateRetention:
		return d.s.DropAt
	case DeprecateRemind, DeprecateScheduled:
		return d.s.RetiresAt
	}
	return time.Time{}
}
