package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
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

// newBudgetEnv is newPolicyEnv with backfill.budget set on the worker's
// catalog entry for the dataset.
func newBudgetEnv(s *testsuite.WorkflowTestSuite, budget float64) *testsuite.TestWorkflowEnvironment {
	env := s.NewTestWorkflowEnvironment()
	orders := backfillDataset()
	orders.Owner.Team = "orders-owners"
	orders.Backfill = &catalog.BackfillSettings{Budget: budget}
	env.RegisterActivity(&activities.Policy{
		People:  people.NewDirectory(map[string]people.Person{"alice": {}}, map[string]people.Group{"orders-owners": {People: []string{"alice"}}}),
		Catalog: catalog.New([]catalog.Dataset{orders}), AllowUnsigned: true,
	})
	return env
}

// The worker's backfill.budget holds whichever client starts the run: a
// start with no budget, or a larger one, still waits for an approval when
// the plan costs more; a smaller budget of the client's own still counts,
// and a plan within the catalog's budget runs without one.
func TestBackfillHoldsToTheCatalogsBudget(t *testing.T) {
	tests := []struct {
		name          string
		catalog, asks float64
		days          int
		wantHeld      bool
		wantBudget    float64
	}{
		{"no budget asked", 100, 0, 3, true, 100},
		{"a larger budget asked", 100, 1e12, 3, true, 100},
		{"a smaller budget asked", 1000, 100, 3, true, 100},
		{"within the catalog's budget", 1000, 0, 3, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := newBudgetEnv(&s, tt.catalog)
			estimateMock(env)
			var seen []activities.RewritePartitionInput
			rewriteMock(env, &seen)
			var waiting BackfillStatus
			env.RegisterDelayedCallback(func() { waiting = queryStatus(t, env) }, time.Hour)
			in := backfillInput(tt.days)
			in.Budget, in.ApprovalTimeout = tt.asks, 2*time.Hour
			env.ExecuteWorkflow(Backfill, in)
			var got BackfillReport
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			held := got.Status == BackfillNotApproved && len(seen) == 0
			if held != tt.wantHeld {
				t.Fatalf("report %+v after %d rewrites; held %v, want %v", got.BackfillStatus, len(seen), held, tt.wantHeld)
			}
			if tt.wantHeld && (waiting.Status != BackfillAwaitingApproval || waiting.Budget != tt.wantBudget) {
				t.Errorf("while held: %+v; want awaiting approval under a budget of %g", waiting, tt.wantBudget)
			}
			if !tt.wantHeld && len(seen) != tt.days {
				t.Errorf("%d partitions written, want %d", len(seen), tt.days)
			}
		})
	}
}
