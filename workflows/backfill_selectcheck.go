package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// backfillLeastPrivilegeChange is the GetVersion ID of the check of a
// run's own SELECT; runs recorded before it replay without the check.
const backfillLeastPrivilegeChange = "backfill-select-least-privilege"

// ErrPIIFlow marks a SELECT refused for copying a PII column into a column
// that is not tagged (the activities package raises it).
const ErrPIIFlow = activities.ErrPIIFlow

// checkSelect runs before a run with its own SELECT (--select) writes
// anything, whichever client started it: the worker says which role the
// SELECT runs as (the dataset's backfill.select_role), refuses a role that
// is not limited and a SELECT copying a PII column into an untagged one,
// and says why the run must otherwise be approved first (no select role;
// columns it could not trace), which selectHold keeps. The dataset's own
// source is reviewed in dre.yaml and is not checked here; its rewrites
// still run as its select role, which the worker looks up itself.
func (b *backfillRun) checkSelect(ctx workflow.Context) error {
	if b.in.Select == "" || workflow.GetVersion(ctx, backfillLeastPrivilegeChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             "check what the --select of " + b.in.Dataset.Name + " reads, and as whom",
	})
	in := activities.CheckSelectInput{Dataset: b.in.Dataset, Select: b.sel, From: b.in.From, To: b.gran.Next(b.in.From)}
	var a *activities.Backfills
	var res activities.CheckSelectResult
	if err := workflow.ExecuteActivity(ctx, a.CheckSelect, in).Get(ctx, &res); err != nil {
		return err
	}
	b.p.SelectRole = res.Role
	b.selectHold = joinReasons(res.Holds...)
	return nil
}

// joinReasons joins the reasons that are not empty with "; ".
func joinReasons(reasons ...string) string {
	out := ""
	for _, r := range reasons {
		switch {
		case r == "":
		case out == "":
			out = r
		default:
			out += "; " + r
		}
	}
	return out
}
