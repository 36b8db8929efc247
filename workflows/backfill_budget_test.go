package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// estimateMock prices every partition at 60 cost units.
func estimateMock(env *testsuite.TestWorkflowEnvironment) {
	var a *activities.Backfills
	env.OnActivity(a.EstimatePartitions, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EstimatePartitionsInput) (activities.EstimatePartitionsResult, error) {
			var out activities.EstimatePartitionsResult
			for range in.Partitions {
				out.Costs = append(out.Costs, warehouse.Cost{Rows: 100, Units: 60})
			}
			return out, nil
		})
}

func TestBackfillDryRunPlansAndWritesNothing(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	estimateMock(env)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	in := backfillInput(31)
	in.DryRun = true
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != BackfillPlanned || got.Plan == nil || len(got.Plan.Partitions) != 31 || got.Plan.Amount != 31*60 || len(seen) != 0 {
		t.Fatalf("dry run: %+v after %d rewrites; want planned, 31 partitions costing 1860, nothing written", got.BackfillStatus, len(seen))
	}
}

func TestSummarisePlanExtrapolatesBeyondTheDetail(t *testing.T) {
	parts := PlanPartitions("day", "d", day(2026, 1, 1), day(2026, 1, 3), 0)
	plan := summarisePlan(parts, []warehouse.Cost{{Bytes: 100}, {Bytes: 300}}, 10)
	if !plan.Extrapolated || plan.Total.Bytes != 2000 || plan.Amount != 2000 {
		t.Errorf("plan %+v, want 10 partitions at the average of 200 bytes = 2000, extrapolated", plan)
	}
}

func TestBackfillOverBudgetWaitsForApproval(t *testing.T) {
	tests := []struct {
		name       string
		approve    bool
		wantStatus string
		wantWrites int
	}{
		{"approved", true, BackfillDone, 3},
		{"never approved", false, BackfillNotApproved, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := newPolicyEnv(&s)
			estimateMock(env)
			var seen []activities.RewritePartitionInput
			rewriteMock(env, &seen)
			var waiting BackfillStatus
			env.RegisterDelayedCallback(func() { waiting = queryStatus(t, env) }, time.Hour)
			noApprover := sendUpdate(env, time.Hour, BackfillApproveUpdate, "")
			var approval *updateOutcome
			if tt.approve {
				approval = sendUpdate(env, 2*time.Hour, BackfillApproveUpdate, "alice")
			}
			in := backfillInput(3)
			in.Budget, in.ApprovalTimeout = 100, 24*time.Hour
			env.ExecuteWorkflow(Backfill, in)
			var got BackfillReport
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if waiting.Status != BackfillAwaitingApproval || waiting.Plan == nil || waiting.Plan.Amount != 180 {
				t.Errorf("after 1h: %+v, want awaiting approval of a 180-unit plan", waiting)
			}
			if noApprover.rejected == nil {
				t.Error("an approval without an approver was accepted")
			}
			if approval != nil && (approval.rejected != nil || got.Approver != "alice") {
				t.Errorf("approval rejected (%v) or not recorded (approver %q)", approval.rejected, got.Approver)
			}
			if got.Status != tt.wantStatus || len(seen) != tt.wantWrites {
				t.Errorf("report %+v after %d rewrites, want %s after %d", got.BackfillStatus, len(seen), tt.wantStatus, tt.wantWrites)
			}
		})
	}
}

func TestBackfillPostsTheReportToTheOwnersChannel(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var n *activities.Notify
	var posted activities.SlackMessage
	env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
			posted = m
			return activities.SlackPosted{Sent: true, Channel: m.Channel}, nil
		}).Once()
	in := backfillInput(2)
	in.Dataset.Owner.SlackChannel = "#commerce-data"
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Notified != "posted to #commerce-data" || posted.Channel != "#commerce-data" ||
		!strings.Contains(posted.Text, "Backfill of orders (public.orders)") || !strings.Contains(posted.Text, ": done. 2 of 2 partitions written, 20 rows") {
		t.Errorf("notified %q with %+v; want the report posted to #commerce-data", got.Notified, posted)
	}
}

// TestBackfillHeldBySLOFreezeWaitsForApproval: an exhausted error budget
// holds even a free backfill until someone approves it.
func TestBackfillHeldBySLOFreezeWaitsForApproval(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var waiting BackfillStatus
	var writesWhileHeld int
	env.RegisterDelayedCallback(func() { waiting, writesWhileHeld = queryStatus(t, env), len(seen) }, time.Hour)
	approval := sendUpdate(env, 2*time.Hour, BackfillApproveUpdate, "alice")
	in := backfillInput(3)
	in.HoldReason = "the SLO error budget of orders is exhausted"
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if waiting.Status != BackfillAwaitingApproval || writesWhileHeld != 0 {
		t.Fatalf("while held: status %s after %d writes; want awaiting approval and none", waiting.Status, writesWhileHeld)
	}
	if approval.rejected != nil || !approval.done || got.Status != BackfillDone || len(seen) != 3 {
		t.Fatalf("after approval (%v): %s with %d writes; want done with 3", approval.rejected, got.Status, len(seen))
	}
}
