package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// triageFixGuardChange is the GetVersion ID of the guards of the
// incident's backfill: the triage policy's backfill_budget and the SLO
// freeze, checked before the child starts and said in the thread. Fixes
// started before it ran their child with no budget.
const triageFixGuardChange = "triage-fix-guards"

// guardFix gives the child backfill what a backfill started by hand
// gets: a cost budget above which it waits for `dre backfill approve`,
// and a hold while the dataset's SLO error budget is spent. Both holds
// live in the child workflow; this says in the thread what it will wait
// for, so the on-call engineer is not left guessing.
func (t *triage) guardFix(ctx workflow.Context, in *BackfillInput) {
	if workflow.GetVersion(ctx, triageFixGuardChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	ds := t.in.Dataset.Name
	in.Budget = t.policy.BackfillBudget
	if in.Budget > 0 {
		t.record(ctx, "backfill-budget", "dre", fmt.Sprintf("%.0f", in.Budget))
		t.post(ctx, fmt.Sprintf(":moneybag: The backfill estimates its cost first; above the triage policy's backfill_budget of %.0f it waits for `dre backfill approve %s`.", in.Budget, ds))
	}
	if reason := t.freezeReason(ctx); reason != "" {
		in.HoldReason = reason
		t.record(ctx, "backfill-held", "dre", reason)
		t.post(ctx, fmt.Sprintf(":ice_cube: The backfill waits for an approval before it writes anything: %s. Approve with `dre backfill approve %s` (authz rule backfill.override_freeze).", reason, ds))
	}
}

// freezeReason is why the dataset's SLO freeze holds its backfills, ""
// when it does not; a check that fails holds too, as the child's would.
func (t *triage) freezeReason(ctx workflow.Context) string {
	if len(t.in.Dataset.SLOs) == 0 {
		return ""
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             "check the SLO freeze of " + t.in.Dataset.Name,
	})
	var s *activities.SLOs
	var reason string
	if err := workflow.ExecuteActivity(ctx, s.FreezeReason, t.in.Dataset.Name).Get(ctx, &reason); err != nil {
		return "the SLO freeze of " + t.in.Dataset.Name + " could not be checked (" + err.Error() + ")"
	}
	return reason
}
