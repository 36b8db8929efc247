package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
)

const approveYAML = `
name: gate
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: gate
    approve: {approvers: [U1, owner], timeout: 1h, default: %s, prompt: "Reload {{ .inputs.dataset }}?"}
    on_failure: continue
  - id: reload
    when: steps.gate.approved
    sql: {dataset: orders, statement: SELECT 1}
`

// decide sends an approve update after delay; it records whether the
// validator accepted it.
func decide(env *testsuite.TestWorkflowEnvironment, delay time.Duration, a RunbookApproval, accepted *bool) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(RunbookApproveUpdate, a.By, &testsuite.TestUpdateCallback{
			OnAccept: func() { *accepted = true }, OnReject: func(error) {}, OnComplete: func(any, error) {},
		}, a)
	}, delay)
}

func TestRunbookApproval(t *testing.T) {
	tests := []struct {
		name       string
		deflt      string
		decisions  []RunbookApproval // sent 10m apart
		want       string            // the gate's state
		wantBy     string
		wantReload string
		timedOut   bool
	}{
		{"approved", "reject", []RunbookApproval{{Step: "gate", By: "U1", Approve: true}}, StepDone, "U1", StepDone, false},
		{"owner's team approves", "reject", []RunbookApproval{{Step: "gate", By: "commerce", Approve: true}}, StepDone, "commerce", StepDone, false},
		{"rejected", "approve", []RunbookApproval{{Step: "gate", By: "U1", Approve: false}}, StepFailed, "U1", StepSkipped, false},
		{"stranger ignored, timeout rejects", "reject", []RunbookApproval{{Step: "gate", By: "U666", Approve: true}}, StepFailed, "timeout", StepSkipped, true},
		{"timeout approves", "approve", nil, StepDone, "timeout", StepDone, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newRunbookEnv()
			var sqls []activities.RunbookSQLInput
			fakeSQL(env, nil, &sqls)
			accepted := make([]bool, len(tt.decisions))
			for i, d := range tt.decisions {
				decide(env, time.Duration(i+1)*10*time.Minute, d, &accepted[i])
			}
			env.ExecuteWorkflow(Runbook, runbookInput(t, fmt.Sprintf(approveYAML, tt.deflt), map[string]string{"dataset": "orders"}))
			st, err := runbookStatus(t, env)
			if err != nil {
				t.Fatalf("run: %v (on_failure is continue)", err)
			}
			gate := step(t, st, "gate")
			if gate.State != tt.want || gate.Result.By != tt.wantBy || gate.Result.TimedOut != tt.timedOut || gate.Result.Message != "Reload orders?" {
				t.Errorf("gate = %+v; want %s by %s, timed out %v, with the prompt", gate, tt.want, tt.wantBy, tt.timedOut)
			}
			wantStates(t, st, map[string]string{"reload": tt.wantReload})
			for i, d := range tt.decisions {
				if allowed := d.By != "U666"; accepted[i] != allowed {
					t.Errorf("decision by %s accepted = %v, want %v", d.By, accepted[i], allowed)
				}
			}
		})
	}
}

func TestRunbookWaitPollsUntilTheCheckPasses(t *testing.T) {
	yaml := `
name: w
steps:
  - id: wait_fresh
    timeout: 1h
    wait: {until: {dataset: orders, check: freshness}, every: 10m}
`
	for _, tt := range []struct {
		name      string
		passAfter int // polls; 0 never
		wantState string
		wantPolls int
	}{{"passes on the third poll", 3, StepDone, 3}, {"times out", 0, StepFailed, 7}} {
		t.Run(tt.name, func(t *testing.T) {
			env := newRunbookEnv()
			polls := 0
			var a *activities.Runbooks
			env.OnActivity(a.RunCheck, mock.Anything, mock.Anything).Return(func(context.Context, activities.RunbookCheckInput) (activities.RunbookCheckResult, error) {
				polls++
				return activities.RunbookCheckResult{Passed: polls == tt.passAfter}, nil
			})
			env.ExecuteWorkflow(Runbook, runbookInput(t, yaml, nil))
			st, _ := runbookStatus(t, env)
			w := step(t, st, "wait_fresh")
			if w.State != tt.wantState || w.Result.Polls != tt.wantPolls || w.Result.TimedOut != (tt.passAfter == 0) {
				t.Errorf("wait = %+v; want %s after %d polls", w, tt.wantState, tt.wantPolls)
			}
		})
	}
}
