package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
)

// frozenInput is a backfill of a dataset with an SLO, started by a client
// that says nothing about the freeze (the Temporal UI, a runbook step).
func frozenInput() BackfillInput {
	in := backfillInput(3)
	in.Dataset.SLOs = []catalog.SLO{{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: time.Hour}}}
	return in
}

// TestBackfillChecksTheSLOFreezeItself: whoever starts the run, the
// workflow asks the worker about the freeze and holds until approved.
func TestBackfillChecksTheSLOFreezeItself(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var slos *activities.SLOs
	env.OnActivity(slos.FreezeReason, mock.Anything, "orders").Return("the SLO error budget of orders is exhausted", nil).Once()
	var waiting BackfillStatus
	var writesWhileHeld int
	env.RegisterDelayedCallback(func() { waiting, writesWhileHeld = queryStatus(t, env), len(seen) }, time.Hour)
	approval := sendUpdate(env, 2*time.Hour, BackfillApproveUpdate, "alice")
	env.ExecuteWorkflow(Backfill, frozenInput())
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if waiting.Status != BackfillAwaitingApproval || writesWhileHeld != 0 {
		t.Fatalf("while frozen: status %s after %d writes; want awaiting approval and none", waiting.Status, writesWhileHeld)
	}
	if approval.rejected != nil || got.Status != BackfillDone || got.Approver != "alice" || len(seen) != 3 {
		t.Fatalf("after approval (%v): %s by %q with %d writes; want done, approved by alice, 3 writes", approval.rejected, got.Status, got.Approver, len(seen))
	}
}

// TestBackfillHoldsWhenTheFreezeCannotBeRead: not knowing the freeze is
// not permission to write.
func TestBackfillHoldsWhenTheFreezeCannotBeRead(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var slos *activities.SLOs
	env.OnActivity(slos.FreezeReason, mock.Anything, "orders").Return("",
		temporal.NewNonRetryableApplicationError("visibility unavailable", "Unavailable", errors.New("down")))
	in := frozenInput()
	in.ApprovalTimeout = time.Hour
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != BackfillNotApproved || len(seen) != 0 {
		t.Fatalf("freeze unreadable: %s with %d writes; want not-approved and none", got.Status, len(seen))
	}
}

// TestBackfillOfADatasetWithoutSLOsAsksNothing: no evaluator can freeze
// such a dataset, so the run does not ask (and needs no SLO activity).
func TestBackfillOfADatasetWithoutSLOsAsksNothing(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var slos *activities.SLOs
	asked := false
	env.OnActivity(slos.FreezeReason, mock.Anything, mock.Anything).Return(
		func(context.Context, string) (string, error) { asked = true; return "", nil }).Maybe()
	env.ExecuteWorkflow(Backfill, backfillInput(2))
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if asked || got.Status != BackfillDone || len(seen) != 2 {
		t.Fatalf("asked %v, %s with %d writes; want no question and done with 2", asked, got.Status, len(seen))
	}
}

// TestBackfillRechecksTheFreezeInEveryContinuedRun: a run that carries
// progress checks the freeze again before it writes, and an approval in
// progress that a client handed to a new start (not the workflow's own
// continue-as-new) counts for nothing.
func TestBackfillRechecksTheFreezeInEveryContinuedRun(t *testing.T) {
	for _, approver := range []string{"", "forged-approver"} {
		var s testsuite.WorkflowTestSuite
		env := newPolicyEnv(&s)
		var seen []activities.RewritePartitionInput
		rewriteMock(env, &seen)
		var slos *activities.SLOs
		env.OnActivity(slos.FreezeReason, mock.Anything, "orders").Return("the SLO error budget of orders is exhausted", nil)
		in := frozenInput()
		in.ApprovalTimeout = time.Hour
		in.Progress = &BackfillProgress{LedgerRun: "first-run", Next: in.From.AddDate(0, 0, 1), Done: 1, Approver: approver, Runs: 1}
		env.ExecuteWorkflow(Backfill, in)
		var got BackfillReport
		if err := env.GetWorkflowResult(&got); err != nil {
			t.Fatal(err)
		}
		if got.Status != BackfillNotApproved || len(seen) != 0 {
			t.Errorf("progress with approver %q under a freeze: %s with %d writes; want not-approved, none", approver, got.Status, len(seen))
		}
	}
}

// TestBackfillChecksTheFreezeWhenTheInputHidesTheSLOs: a client that sends
// the dataset without the SLOs the worker's catalog gives it (another SDK,
// the Temporal UI) still meets the freeze.
func TestBackfillChecksTheFreezeWhenTheInputHidesTheSLOs(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	catalogued := frozenInput().Dataset
	env.RegisterActivity(&activities.Policy{People: people.NewDirectory(nil, nil), Catalog: catalog.New([]catalog.Dataset{catalogued}), AllowUnsigned: true})
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var slos *activities.SLOs
	env.OnActivity(slos.FreezeReason, mock.Anything, "orders").Return("the SLO error budget of orders is exhausted", nil).Once()
	in := backfillInput(3)
	in.ApprovalTimeout = time.Hour
	if len(in.Dataset.SLOs) != 0 || len(catalogued.SLOs) == 0 {
		t.Fatal("the test needs an input without SLOs and a catalog with them")
	}
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != BackfillNotApproved || len(seen) != 0 {
		t.Fatalf("input without the catalog's SLOs under a freeze: %s with %d writes; want not-approved and none", got.Status, len(seen))
	}
}
