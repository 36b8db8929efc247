package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"
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

// DeprecateAction is who does what, and why.
type DeprecateAction struct {
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
	// Until is the new retire date of an extension.
	Until time.Time `json:"until,omitzero"`
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
	case a.By == "":
		return errors.New("say who acts: DeprecateAction.By is empty")
	case d.cancelled:
		return errors.New("the deprecation was cancelled; the table is being restored")
	case d.irreversible():
		return fmt.Errorf("too late: the deprecation is in its %s phase", d.s.Phase)
	}
	return nil
}

func (d *deprecation) validateAck(_ workflow.Context, a DeprecateAction) error {
	if err := d.validateOpen(a); err != nil {
		return err
	}
	if slices.Contains(d.s.Acked, a.By) {
		return fmt.Errorf("%s has already acknowledged", a.By)
	}
	return nil
}

func (d *deprecation) onAck(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	d.s.Acked = append(d.s.Acked, a.By)
	d.record(ctx, "acknowledged", a.By)
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
	return nil
}

func (d *deprecation) onExtend(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	d.s.RetiresAt, d.s.Pause, d.remark = a.Until, nil, true
	d.s.Status = DeprecateRunning
	d.record(ctx, "extended to "+d.retireDay()+reasonSuffix(a), a.By)
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
	return nil
}

func (d *deprecation) onVeto(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	d.s.Pause = &DeprecatePause{Kind: DeprecatePauseVeto, Reason: a.Reason, By: a.By, Since: workflow.Now(ctx)}
	d.record(ctx, "vetoed: "+a.Reason, a.By)
	return d.s, nil
}

func (d *deprecation) validateContinue(_ workflow.Context, a DeprecateAction) error {
	if err := d.validateOpen(a); err != nil {
		return err
	}
	if d.s.Pause == nil {
		return errors.New("nothing to continue: the deprecation is not paused")
	}
	if approvers := d.life.Approvers; len(approvers) > 0 && !slices.Contains(approvers, a.By) {
		return fmt.Errorf("%s may not decide; the lifecycle's approvers are %v", a.By, approvers)
	}
	return nil
}

func (d *deprecation) onContinue(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	d.record(ctx, "continued after "+d.s.Pause.Kind+reasonSuffix(a), a.By)
	d.s.Pause = nil
	d.s.Status = DeprecateRunning
	return d.s, nil
}

func (d *deprecation) validateCancel(_ workflow.Context, a DeprecateAction) error {
	return d.validateOpen(a)
}

func (d *deprecation) onCancel(ctx workflow.Context, a DeprecateAction) (DeprecateStatus, error) {
	d.cancelled = true
	d.s.Status = DeprecateCancelling
	d.record(ctx, "cancelled"+reasonSuffix(a), a.By)
	return d.s, nil
}

func reasonSuffix(a DeprecateAction) string {
	if a.Reason == "" {
		return ""
	}
	return ": " + a.Reason
}
