package workflows

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

const staleYAML = `
name: stale
inputs:
  - {name: dataset, type: dataset, required: true}
  - {name: max_wait, type: duration, default: 2h}
steps:
  - id: freshness
    check: {dataset: "{{ .inputs.dataset }}", check: freshness}
    on_failure: continue
  - id: upstream
    when: steps.freshness.status == "failed"
    sql:
      dataset: "{{ .inputs.dataset }}"
      statement: SELECT count(*) AS pending FROM {{ source .inputs.dataset }} AS src
      params: [steps.freshness.latest, steps.freshness.as_of]
    outputs:
      load_failed: steps.upstream.row.pending > 0
  - id: never
    when: steps.freshness.status == "ok"
    sql: {dataset: orders, statement: SELECT 1 AS one}
    outputs:
      flag: steps.never.row.one > 0
  - id: backfill_note
    when: steps.upstream.load_failed
    notify: {channel: "#ops", text: backfilling}
  - id: tell_owner
    when: "!steps.upstream.load_failed && !steps.never.flag && steps.freshness.lag > inputs.max_wait"
    notify: {channel: owner, text: "{{ .inputs.dataset }} is {{ .steps.freshness.lag }} late"}
`

func TestRunbookConditionsAndOutputs(t *testing.T) {
	env := newRunbookEnv()
	var a *activities.Runbooks
	env.OnActivity(a.RunCheck, mock.Anything, mock.Anything).Return(activities.RunbookCheckResult{
		Passed: false, Lag: 30 * time.Hour, Latest: "2026-11-22", AsOf: "2026-11-23", Message: "stale",
	}, nil).Once()
	var sqls []activities.RunbookSQLInput
	var posted []activities.SlackMessage
	fakeSQL(env, map[string]any{"pending": int64(0)}, &sqls)
	fakeSlack(env, &posted)
	in := runbookInput(t, staleYAML, map[string]string{"dataset": "orders"})
	in.Datasets["orders"] = withSelectSource(in.Datasets["orders"])
	env.ExecuteWorkflow(Runbook, in)
	st, err := runbookStatus(t, env)
	if err != nil || st.Status != RunbookOK {
		t.Fatalf("run = %s, %v; want ok", st.Status, err)
	}
	wantStates(t, st, map[string]string{"freshness": StepFailed, "upstream": StepDone, "never": StepSkipped,
		"backfill_note": StepSkipped, "tell_owner": StepDone})
	if got := step(t, st, "upstream").Result.Outputs["load_failed"]; got != false {
		t.Errorf("upstream.load_failed = %v, want false", got)
	}
	if len(sqls) != 1 || !strings.Contains(sqls[0].Statement, "FROM (SELECT * FROM raw.o WHERE t >= $1 AND t < $2) AS src") ||
		fmt.Sprint(sqls[0].Params) != "[2026-11-22 2026-11-23]" || sqls[0].Warehouse != "local" {
		t.Errorf("sql steps ran %+v; want one statement over the source with the freshness dates as $1, $2", sqls)
	}
	if len(posted) != 1 || posted[0].Channel != "#commerce-data" || posted[0].Text != "orders is 30h0m0s late" {
		t.Errorf("posted %+v; want one message to the owner's channel with the lag", posted)
	}
}

func TestRunbookFailurePolicies(t *testing.T) {
	tests := []struct {
		policy  string
		wantErr bool
		want    map[string]string
	}{
		{"stop", true, map[string]string{"broken": StepFailed, "after": StepPending}},
		{"continue", false, map[string]string{"broken": StepFailed, "after": StepDone}},
		{"{steps: [{id: cleanup, sql: {dataset: orders, statement: SELECT 2}}], then: continue}", false,
			map[string]string{"broken": StepFailed, "cleanup": StepDone, "after": StepDone}},
		{"{steps: [{id: cleanup, sql: {dataset: orders, statement: SELECT 2}}]}", true,
			map[string]string{"broken": StepFailed, "cleanup": StepDone, "after": StepPending}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			env := newRunbookEnv()
			var sqls []activities.RunbookSQLInput
			fakeSQL(env, nil, &sqls)
			yaml := "name: p\nsteps:\n  - id: broken\n    sql: {dataset: orders, statement: SELECT fail}\n    on_failure: " + tt.policy +
				"\n  - id: after\n    sql: {dataset: orders, statement: SELECT 3}\n"
			env.ExecuteWorkflow(Runbook, runbookInput(t, yaml, nil))
			st, err := runbookStatus(t, env)
			if tt.wantErr != failedWith(err) || (tt.wantErr && st.FailedStep != "broken") {
				t.Errorf("run error %v, failed step %q; want a RunbookFailed error: %v", err, st.FailedStep, tt.wantErr)
			}
			if got := step(t, st, "broken").Error; got != "relation is gone" {
				t.Errorf("broken step error = %q, want the activity's message", got)
			}
			wantStates(t, st, tt.want)
		})
	}
}

func TestRunbookParallelBranches(t *testing.T) {
	yaml := `
name: par
steps:
  - id: impact
    parallel:
      branches:
        - - {id: one, sql: {dataset: orders, statement: SELECT 1}}
          - {id: two, sql: {dataset: orders, statement: SELECT 2}}
        - - {id: three, sql: {dataset: orders, statement: %s}}
  - id: after
    sql: {dataset: orders, statement: SELECT 4}
`
	t.Run("all pass", func(t *testing.T) {
		env := newRunbookEnv()
		var sqls []activities.RunbookSQLInput
		fakeSQL(env, nil, &sqls)
		env.ExecuteWorkflow(Runbook, runbookInput(t, fmt.Sprintf(yaml, "SELECT 3"), nil))
		st, err := runbookStatus(t, env)
		if err != nil || len(sqls) != 4 {
			t.Fatalf("run: %v after %d statements; want success after 4", err, len(sqls))
		}
		wantStates(t, st, map[string]string{"impact": StepDone, "one": StepDone, "two": StepDone, "three": StepDone, "after": StepDone})
	})
	t.Run("a branch fails", func(t *testing.T) {
		env := newRunbookEnv()
		var sqls []activities.RunbookSQLInput
		fakeSQL(env, nil, &sqls)
		env.ExecuteWorkflow(Runbook, runbookInput(t, fmt.Sprintf(yaml, "SELECT fail"), nil))
		st, err := runbookStatus(t, env)
		if !failedWith(err) || st.FailedStep != "impact" || !strings.Contains(step(t, st, "impact").Error, "branch 2") {
			t.Fatalf("run: %v, failed step %q; want impact failed by branch 2", err, st.FailedStep)
		}
		// The other branch runs to its end: branches are independent.
		wantStates(t, st, map[string]string{"one": StepDone, "two": StepDone, "three": StepFailed, "after": StepPending})
	})
}

func TestRunbookRetryFromStep(t *testing.T) {
	yaml := `
name: retry
steps:
  - id: first
    sql: {dataset: orders, statement: SELECT 41 AS answer}
    outputs: {answer: steps.first.row.answer}
  - id: second
    sql: {dataset: orders, statement: "%s", params: [steps.first.answer + 1]}
`
	env := newRunbookEnv()
	var sqls []activities.RunbookSQLInput
	fakeSQL(env, map[string]any{"answer": 41}, &sqls)
	env.ExecuteWorkflow(Runbook, runbookInput(t, fmt.Sprintf(yaml, "SELECT fail"), nil))
	failed, err := runbookStatus(t, env)
	if !failedWith(err) || failed.FailedStep != "second" {
		t.Fatalf("first run: %v, failed step %q; want second to fail", err, failed.FailedStep)
	}

	retry := newRunbookEnv()
	sqls = nil
	fakeSQL(retry, nil, &sqls)
	in := runbookInput(t, fmt.Sprintf(yaml, "SELECT @fixed"), nil)
	in.StartFrom, in.Prior = "second", failed.Steps
	retry.ExecuteWorkflow(Runbook, in)
	st, err := runbookStatus(t, retry)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if len(sqls) != 1 || sqls[0].Statement != "SELECT @fixed" || fmt.Sprint(sqls[0].Params) != "[42]" {
		t.Errorf("retry ran %+v; want only the second step, with the first step's prior output + 1", sqls)
	}
	wantStates(t, st, map[string]string{"first": StepDone, "second": StepDone})
}

func TestRunbookRetryFromUnknownStepIsRefused(t *testing.T) {
	env := newRunbookEnv()
	in := runbookInput(t, "name: r\nsteps:\n  - {id: a, notify: {channel: '#x', text: hi}}\n", nil)
	in.StartFrom = "nope"
	env.ExecuteWorkflow(Runbook, in)
	if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "top-level steps: a") {
		t.Errorf("start from an unknown step: %v; want an error listing the top-level steps", err)
	}
}

// withSelectSource gives a dataset a small source SELECT.
func withSelectSource(ds catalog.Dataset) catalog.Dataset {
	ds.Source = &catalog.Source{Select: "SELECT * FROM raw.o WHERE t >= {{ .From }} AND t < {{ .To }}"}
	return ds
}
