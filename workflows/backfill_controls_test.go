package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// updateOutcome is what became of one update.
type updateOutcome struct {
	name     string
	rejected error
	done     bool
}

// sendUpdate sends an update at a point of workflow time and records its fate.
func sendUpdate(env *testsuite.TestWorkflowEnvironment, at time.Duration, name string, args ...any) *updateOutcome {
	o := &updateOutcome{name: name}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { o.rejected = err },
			OnComplete: func(any, error) { o.done = true },
		}, args...)
	}, at)
	return o
}

func TestBackfillControlsPauseResumeConcurrencyCancel(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	// One at a time, a minute each: partition k (from 0) runs in [k, k+1) minutes.
	bad := []*updateOutcome{
		sendUpdate(env, 30*time.Second, BackfillConcurrencyUpdate, 0),
		sendUpdate(env, 30*time.Second, BackfillConcurrencyUpdate, BackfillMaxConcurrency+1),
		sendUpdate(env, 30*time.Second, BackfillResumeUpdate),
		sendUpdate(env, 30*time.Second, BackfillApproveUpdate, "alice"),
		sendUpdate(env, 150*time.Second, BackfillPauseUpdate),
	}
	good := []*updateOutcome{
		sendUpdate(env, 90*time.Second, BackfillPauseUpdate),
		sendUpdate(env, 10*time.Minute, BackfillResumeUpdate),
		sendUpdate(env, 10*time.Minute, BackfillConcurrencyUpdate, 3),
		sendUpdate(env, 10*time.Minute+30*time.Second, BackfillCancelUpdate),
	}
	var paused BackfillStatus
	env.RegisterDelayedCallback(func() { paused = queryStatus(t, env) }, 5*time.Minute)
	in := backfillInput(10)
	in.Concurrency = 1
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	for _, o := range bad {
		if o.rejected == nil || o.done {
			t.Errorf("update %s was accepted; its validator should have rejected it", o.name)
		}
	}
	for _, o := range good {
		if o.rejected != nil || !o.done {
			t.Errorf("update %s: rejected %v, completed %v; want it applied", o.name, o.rejected, o.done)
		}
	}
	if paused.Status != BackfillPaused || paused.Done != 2 || paused.Running != 0 {
		t.Errorf("while paused: %+v, want paused after the 2 partitions started before the pause", paused)
	}
	// Resumed at 10m with concurrency 3: three start, the cancel at 10m30s
	// lets them finish and starts nothing more.
	if got.Status != BackfillCancelled || got.Done != 5 || got.Pending != 5 || len(seen) != 5 {
		t.Errorf("report %+v after %d rewrites; want cancelled with 5 done and 5 pending", got.BackfillStatus, len(seen))
	}
}

func TestBackfillFailurePolicies(t *testing.T) {
	tests := []struct {
		policy     string
		wantStatus string
		wantDone   int
	}{
		{BackfillSkip, BackfillPartial, 4},
		{BackfillStop, BackfillFailed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := newPolicyEnv(&s)
			attempts := map[time.Time]int{}
			onBatches(env, 0, func(in activities.RewritePartitionInput) (activities.RewritePartitionResult, error) {
				attempts[in.Partition.Start]++ // concurrency 1: no lock needed
				if in.Partition.Start.Equal(day(2026, 1, 2)) {
					return activities.RewritePartitionResult{}, errSQL
				}
				return activities.RewritePartitionResult{RewriteResult: warehouse.RewriteResult{Rows: 7}}, nil
			})
			in := backfillInput(5)
			in.Concurrency, in.OnFailure, in.MaxAttempts = 1, tt.policy, 2
			env.ExecuteWorkflow(Backfill, in)
			var got BackfillReport
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || got.Done != tt.wantDone || got.Failed != 1 || got.Rows != int64(7*tt.wantDone) {
				t.Errorf("report %+v, want %s with %d done and 1 failed", got.BackfillStatus, tt.wantStatus, tt.wantDone)
			}
			if len(got.Failures) != 1 || !strings.Contains(got.Failures[0].Reason, "relation raw.orders does not exist") {
				t.Errorf("failures %+v, want the SQL error of 2026-01-02", got.Failures)
			}
			if n := attempts[day(2026, 1, 2)]; n != 2 {
				t.Errorf("the failing partition was tried %d times, want MaxAttempts=2", n)
			}
		})
	}
}

// errSQL is a transient-looking error, so the retry policy applies.
var errSQL = &sqlError{"relation raw.orders does not exist"}

type sqlError struct{ msg string }

func (e *sqlError) Error() string { return e.msg }
