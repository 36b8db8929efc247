package schedules

import (
	"context"

	"github.com/dre-dev/dre/workflows"
)

// AccessReviewID is the schedule of the quarterly access review. It is
// outside Prefix on purpose: dre access review schedule owns it, and a
// catalog sync, which does not know the review's flags, must not delete it.
const AccessReviewID = "dre-access-review"

// accessReviewCron starts a review at 09:00 UTC on the first day of each
// quarter.
const accessReviewCron = "0 9 1 1,4,7,10 *"

// AccessReview is the quarterly review schedule. The input's Period is
// cleared: each run reviews the quarter it starts in.
func AccessReview(in workflows.AccessReviewInput, taskQueue string) Schedule {
	in.Period = ""
	return Schedule{
		ID: AccessReviewID, Cron: accessReviewCron,
		Workflow: workflows.AccessReviewWorkflowName, WorkflowID: workflows.AccessReviewWorkflowID("scheduled"), TaskQueue: taskQueue,
		Args: []any{in}, Summary: "Quarterly access review of PII grants",
	}
}

// Ensure creates or updates one schedule to match want, leaving every
// other schedule alone; running it again with the same want changes nothing.
func Ensure(ctx context.Context, sc scheduleClient, want Schedule) (Change, error) {
	note, exists, err := describe(ctx, sc, want.ID)
	if err != nil {
		return Change{}, err
	}
	c := Change{Op: Unchanged, ID: want.ID, Want: &want}
	switch {
	case !exists:
		c.Op = Create
	case note != notePrefix+want.hash():
		c.Op = Update
	}
	return c, Apply(ctx, sc, []Change{c})
}
