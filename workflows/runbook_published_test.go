package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/dre-dev/dre/activities"
)

// holdYAML waits, up to two hours, for orders to have no partition held
// back by a failed validation, before its downstream step.
const holdYAML = `
name: hold
steps:
  - id: published
    timeout: 2h
    wait: {until: {dataset: orders, check: published}, every: 10m}
  - id: downstream
    sql: {dataset: orders, statement: SELECT 1}
`

// heldBack is the check's answer while 2026-11-03 is unpublished.
const heldBack = "1 partition failed validation and is unpublished: 2026-11-03 (unique(order_id): 3 violations); fix the source and run dre backfill start orders --partitions 2026-11-03"

// TestRunbookWaitsUntilTheDatasetIsPublished: the wait polls the published
// check on a durable timer and lets the downstream step run once the
// partition is fixed, three polls (twenty minutes) later.
func TestRunbookWaitsUntilTheDatasetIsPublished(t *testing.T) {
	env := newRunbookEnv()
	var a *activities.Runbooks
	var asked []string
	env.OnActivity(a.RunCheck, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RunbookCheckInput) (activities.RunbookCheckResult, error) {
			fakesMu.Lock()
			defer fakesMu.Unlock()
			asked = append(asked, in.Check)
			if len(asked) < 3 {
				return activities.RunbookCheckResult{Value: 1, Rows: 1, Message: heldBack}, nil
			}
			return activities.RunbookCheckResult{Passed: true, Message: "no partition of orders is held back by a failed validation"}, nil
		})
	var sqls []activities.RunbookSQLInput
	fakeSQL(env, nil, &sqls)
	start := env.Now()
	env.ExecuteWorkflow(Runbook, runbookInput(t, holdYAML, nil))
	waited := env.Now().Sub(start)
	st, err := runbookStatus(t, env)
	if err != nil || st.Status != RunbookOK {
		t.Fatalf("run = %s, %v; want ok", st.Status, err)
	}
	if strings.Join(asked, ",") != "published,published,published" || step(t, st, "published").Result.Polls != 3 {
		t.Errorf("checks asked %v, polls %d; want published three times", asked, step(t, st, "published").Result.Polls)
	}
	if len(sqls) != 1 || waited != 20*time.Minute {
		t.Errorf("downstream ran %d times, the run ended %s after its start; want once, after the 20 minutes of polling", len(sqls), waited)
	}
}

// TestRunbookWaitOnPublishedTimesOut: a partition still held back when the
// step's timeout is spent fails the run with a message naming it, and the
// downstream step never runs.
func TestRunbookWaitOnPublishedTimesOut(t *testing.T) {
	env := newRunbookEnv()
	var a *activities.Runbooks
	env.OnActivity(a.RunCheck, mock.Anything, mock.Anything).Return(activities.RunbookCheckResult{Value: 1, Rows: 1, Message: heldBack}, nil)
	var sqls []activities.RunbookSQLInput
	fakeSQL(env, nil, &sqls)
	start := env.Now()
	env.ExecuteWorkflow(Runbook, runbookInput(t, holdYAML, nil))
	st, err := runbookStatus(t, env)
	if !failedWith(err) || st.FailedStep != "published" {
		t.Fatalf("run error %v, failed step %q; want the published step to fail the run", err, st.FailedStep)
	}
	s := step(t, st, "published")
	if want := "published check did not pass within 2h0m0s (13 polls): " + heldBack; s.Error != want || !s.Result.TimedOut {
		t.Errorf("step error %q, timed out %v; want %q", s.Error, s.Result.TimedOut, want)
	}
	if len(sqls) != 0 || step(t, st, "downstream").State != StepPending {
		t.Errorf("downstream ran %d times; want never", len(sqls))
	}
	if elapsed := env.Now().Sub(start); elapsed < 2*time.Hour {
		t.Errorf("the run ended %s after its start; want the two hours of the timeout", elapsed)
	}
}
