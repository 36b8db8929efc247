package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// runbookInput parses a runbook and gives it the orders dataset, owned by
// #commerce-data.
func runbookInput(t *testing.T, yaml string, given map[string]string) RunbookInput {
	t.Helper()
	rb, err := runbooks.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("runbook does not parse: %v", err)
	}
	inputs, err := ResolveRunbookInputs(rb, given)
	if err != nil {
		t.Fatal(err)
	}
	ds := ordersDataset()
	ds.Owner = catalog.Owner{Team: "commerce", SlackChannel: "#commerce-data", PagerDutyService: "PCOMMERCE"}
	return RunbookInput{Runbook: *rb, Hash: runbooks.Hash(rb), Inputs: inputs, Dataset: TargetDataset(rb, inputs),
		Datasets: map[string]catalog.Dataset{"orders": ds}, Requester: "tester"}
}

func newRunbookEnv() *testsuite.TestWorkflowEnvironment {
	env, _, _ := newGuardedRunbookEnv()
	return env
}

// newGuardedRunbookEnv is newRunbookEnv with the worker's policy, which a
// test may change before it runs the workflow (nobody known, unsigned
// decisions allowed), and the audit log.
func newGuardedRunbookEnv() (*testsuite.TestWorkflowEnvironment, *activities.Policy, *auditLog) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(Runbook)
	p := registerPolicy(env, nil, true)
	return env, p, recordAudit(env)
}

// runbookStatus queries a finished run and returns its workflow error.
func runbookStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) (RunbookStatus, error) {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("the runbook did not complete")
	}
	v, err := env.QueryWorkflow(StatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	var st RunbookStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st, env.GetWorkflowError()
}

// step finds a step's state.
func step(t *testing.T, st RunbookStatus, id string) StepState {
	t.Helper()
	for _, s := range st.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("status has no step %s: %+v", id, st.Steps)
	return StepState{}
}

// wantStates checks the state of each step named.
func wantStates(t *testing.T, st RunbookStatus, want map[string]string) {
	t.Helper()
	for _, id := range sortedKeys(want) {
		if got := step(t, st, id); got.State != want[id] {
			t.Errorf("step %s is %s (error %q), want %s", id, got.State, got.Error, want[id])
		}
	}
}

// fakesMu guards what the fakes record: the testsuite runs the
// activities of parallel branches on their own goroutines.
var fakesMu sync.Mutex

// fakeSQL answers RunSQL: "SELECT fail" fails, anything else returns row.
func fakeSQL(env *testsuite.TestWorkflowEnvironment, row map[string]any, seen *[]activities.RunbookSQLInput) {
	var a *activities.Runbooks
	env.OnActivity(a.RunSQL, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RunbookSQLInput) (activities.RunbookSQLResult, error) {
			fakesMu.Lock()
			defer fakesMu.Unlock()
			*seen = append(*seen, in)
			if in.Statement == "SELECT fail" {
				return activities.RunbookSQLResult{}, temporal.NewNonRetryableApplicationError("relation is gone", "Test", nil)
			}
			return activities.RunbookSQLResult{Rows: 1, Row: row}, nil
		})
}

// fakeSlack records the messages posted.
func fakeSlack(env *testsuite.TestWorkflowEnvironment, posted *[]activities.SlackMessage) {
	var n *activities.Notify
	env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
			fakesMu.Lock()
			defer fakesMu.Unlock()
			*posted = append(*posted, m)
			return activities.SlackPosted{Sent: true, Channel: m.Channel}, nil
		})
}

// failedWith reports whether err is a run stopped by a failed step.
func failedWith(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == ErrRunbookFailed
}
