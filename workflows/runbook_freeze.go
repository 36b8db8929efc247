package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// RunbookFreezeStep is the reserved step ID of the approval an SLO freeze
// holds a run for: decide it with RunbookApproveUpdate like an approve
// step (dre runbook approve <run> --step slo-freeze).
const RunbookFreezeStep = runbooks.FreezeStepID

// RunbookFreezeTimeout is how long a held run waits for that approval;
// without one it fails (default deny).
const RunbookFreezeTimeout = 24 * time.Hour

// ErrRunbookFrozen is the error type of a run that an SLO freeze held and
// nobody approved; its details hold the RunbookStatus.
const ErrRunbookFrozen = "RunbookFrozen"

// runbookFreezeVersion marks runs that check the SLO freeze themselves;
// older runs trusted the starter (only the CLI checked).
const runbookFreezeVersion = "runbook-checks-slo-freeze"

// freezeReason is why the run must be approved before its first step:
// the target dataset's SLO freeze, asked of the worker itself so that the
// hold applies whichever client started the run (CLI, triage button,
// Temporal UI, another SDK). Only runs that may write SQL are held, and
// only on datasets with SLOs (no evaluator freezes the others). A freeze
// that cannot be read holds too: writing through an unknown freeze is the
// worse mistake.
func (r *runbookRun) freezeReason(ctx workflow.Context) string {
	ds, ok := r.freezeDataset(ctx)
	// WritesSQL ranges over the callees, but its answer (does any write)
	// does not depend on their order.
	writes := runbooks.WritesSQL(&r.in.Runbook, r.in.Callees) //workflowcheck:ignore
	if !ok || len(ds.SLOs) == 0 || !writes || r.callerApproved(ctx) {
		return ""
	}
	if workflow.GetVersion(ctx, runbookFreezeVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ""
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             "check the SLO freeze of " + ds.Name,
	})
	var s *activities.SLOs
	var reason string
	if err := workflow.ExecuteActivity(ctx, s.FreezeReason, ds.Name).Get(ctx, &reason); err != nil {
		return "the SLO freeze of " + ds.Name + " could not be checked (" + failureText(err) + ")"
	}
	return reason
}

// runbookCatalogSLOsVersion marks runs that take the target dataset's
// SLOs from the worker's catalog when their input gives it none; older
// runs took the input's word that nothing could freeze it.
const runbookCatalogSLOsVersion = "runbook-freeze-from-catalog-slos"

// freezeDataset is the target dataset as the freeze sees it: the input's,
// unless the input gives it no SLOs and the worker's catalog (the
// decision policy's dataset) does, so that a client cannot skip the
// freeze by sending the dataset without them.
func (r *runbookRun) freezeDataset(ctx workflow.Context) (catalog.Dataset, bool) {
	ds, ok := r.in.Datasets[r.in.Dataset]
	p := r.guard.policy
	if len(ds.SLOs) > 0 || p == nil || r.in.Dataset == "" || p.Dataset.Name != r.in.Dataset || len(p.Dataset.SLOs) == 0 {
		return ds, ok
	}
	if workflow.GetVersion(ctx, runbookCatalogSLOsVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ds, ok
	}
	return p.Dataset, true
}

// callerApproved: this run was called by a run whose hold on the same
// dataset an owner approved. The input field counts only in a child run,
// so that a client cannot skip the hold by setting it.
func (r *runbookRun) callerApproved(ctx workflow.Context) bool {
	if r.in.FreezeApproved == "" || r.in.FreezeApproved != r.in.Dataset || workflow.GetInfo(ctx).ParentWorkflowExecution == nil {
		return false
	}
	r.freezeApproved = r.in.FreezeApproved // and its own callees inherit it
	return true
}

// holdIfFrozen waits, before the first step, for an approval of the
// reserved step slo-freeze when the dataset is frozen. The approvers are
// the dataset owner's, as an approve step with approvers [owner] has
// them. A rejection, or no decision within RunbookFreezeTimeout, fails
// the run without running a step.
func (r *runbookRun) holdIfFrozen(ctx workflow.Context) error {
	reason := r.freezeReason(ctx)
	if reason == "" {
		return nil
	}
	p := &pendingApproval{approvers: nonEmpty(r.approvers([]string{"owner"}))}
	r.hold = r.holdText(reason, p.approvers)
	r.waiting[RunbookFreezeStep] = p
	r.setStatus(ctx, RunbookWaiting)
	r.postHold(ctx)
	opts := workflow.AwaitOptions{Timeout: RunbookFreezeTimeout, TimerOptions: workflow.TimerOptions{Summary: "SLO freeze: approval due"}}
	decided, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return p.decision != nil })
	delete(r.waiting, RunbookFreezeStep)
	if err != nil {
		return err // cancelled while held
	}
	if decided {
		r.auditApproval(ctx, RunbookFreezeStep, p)
	}
	if decided && p.decision.Approve {
		r.hold, r.freezeApproved = "", r.in.Dataset
		r.setStatus(ctx, RunbookRunning)
		return nil
	}
	return r.frozenFailure(ctx, reason, p)
}

// holdText says why the run waits and how to let it go on.
func (r *runbookRun) holdText(reason string, approvers []string) string {
	who := "nobody: the dataset has no owner team, channel or approvers in dre.yaml"
	if len(approvers) > 0 {
		who = strings.Join(approvers, ", ")
	}
	return fmt.Sprintf("%s and runbook %s writes SQL: no step runs until one of %s approves with "+
		"`dre runbook approve %s --step %s --as <approver> --sign <key>`; without a decision within %s it is denied",
		reason, r.in.Runbook.Name, who, r.workflowID, RunbookFreezeStep, RunbookFreezeTimeout)
}

// postHold tells the owner's channel; a run without one only shows the
// hold in its status.
func (r *runbookRun) postHold(ctx workflow.Context) {
	ds, err := r.owner()
	if err != nil {
		return
	}
	postSlack(ctx, ds.Owner.SlackChannel, ":octagonal_sign: Runbook run "+activities.SlackEscape(r.workflowID)+" is held: "+activities.SlackEscape(r.hold))
}

// frozenFailure ends a held run that was not approved.
func (r *runbookRun) frozenFailure(ctx workflow.Context, reason string, p *pendingApproval) error {
	why := fmt.Sprintf("nobody approved step %s within %s, and the default is deny", RunbookFreezeStep, RunbookFreezeTimeout)
	if p.decision != nil {
		why = "step " + RunbookFreezeStep + " was rejected by " + p.who.name
	}
	r.errText = fmt.Sprintf("dataset %s is frozen (%s), so runbook %s, which writes SQL, ran no step: %s. "+
		"Once the owner agrees, start it again and approve it with `dre runbook approve <run id> --step %s --as <approver> --sign <key>`",
		r.in.Dataset, reason, r.in.Runbook.Name, why, RunbookFreezeStep)
	r.hold = ""
	r.setStatus(ctx, RunbookFailed)
	return temporal.NewNonRetryableApplicationError(r.errText, ErrRunbookFrozen, nil, r.report())
}
