package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// tourApprover is the only approver of the tour's approve step.
const tourApprover = "U0E2EAPPROVER"

// tourRunbooks take the interpreter through most step kinds in one run:
// SQL with an output, checks, an approval, a notify a `when` lets through,
// a page a `when` skips, a wait, parallel branches and a called runbook.
var tourRunbooks = map[string]string{
	"tour.yaml": `name: e2e-tour
inputs:
  - {name: dataset, type: dataset, required: true}
  - {name: pause, type: duration, default: 1s}
steps:
  - id: rows
    sql: {dataset: "{{ .inputs.dataset }}", statement: "SELECT count(*) AS n FROM {{ table .inputs.dataset }}"}
    outputs: {has_rows: steps.rows.row.n > 0}
  - id: fresh
    check: {dataset: "{{ .inputs.dataset }}", check: freshness}
    on_failure: continue
  - id: go_ahead
    approve: {approvers: [` + tourApprover + `], timeout: 1h, prompt: "Tour {{ .inputs.dataset }}?"}
  - id: tell
    when: steps.go_ahead.approved && steps.rows.has_rows
    notify: {channel: owner, text: "{{ .inputs.dataset }} has {{ .steps.rows.row.n }} rows"}
  - id: page_stale
    when: steps.fresh.status == "failed"
    page: {service: owner, severity: warning, summary: "{{ .inputs.dataset }} is stale"}
  - id: pause
    wait: {duration: "{{ .inputs.pause }}"}
  - id: both
    parallel:
      branches:
        - - id: volume
            check: {dataset: "{{ .inputs.dataset }}", check: volume}
            on_failure: continue
        - - id: latest
            sql: {dataset: "{{ .inputs.dataset }}", statement: "SELECT max(order_date)::text AS day FROM {{ table .inputs.dataset }}"}
  - id: again
    runbook: {name: e2e-tour-callee, inputs: {dataset: inputs.dataset}}
`,
	"callee.yaml": `name: e2e-tour-callee
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: not_empty
    check:
      dataset: "{{ .inputs.dataset }}"
      check: custom
      sql: SELECT count(*) AS n FROM {{ table .inputs.dataset }}
      expect: result.row.n > 0
`,
}

func TestRunbookTourWithApprovalWhenAndCall(t *testing.T) {
	e := demoSetup(t)
	dir := t.TempDir()
	for name, text := range tourRunbooks {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := clitest.Run(t, e, "runbook", "run", "e2e-tour", "--runbooks", dir, "--dataset", "orders", "--requester", "e2e")
	m := startedID.FindStringSubmatch(res.Stdout)
	if res.Code != 0 || m == nil {
		t.Fatalf("run e2e-tour: exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	id := m[1]
	awaitRunbookStatus(t, id, workflows.RunbookWaiting)
	if err := decideRunbook(t, id, "U0SOMEONE"); err == nil || !strings.Contains(err.Error(), "may not decide") {
		t.Errorf("a decision by a non-approver: %v; want a refusal naming the approvers", err)
	}
	if err := decideRunbook(t, id, tourApprover); err != nil {
		t.Fatalf("approval by %s: %v", tourApprover, err)
	}
	var st workflows.RunbookStatus
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &st); err != nil {
		t.Fatalf("the tour failed: %v", err)
	}
	checkTourSteps(t, st)
	recordHistory(t, id, "runbook-tour-approve-when-call.json")
}

// checkTourSteps wants every step of the tour done, but the page its
// `when` skips, and the approval given by the approver.
func checkTourSteps(t *testing.T, st workflows.RunbookStatus) {
	t.Helper()
	want := map[string]string{"rows": workflows.StepDone, "fresh": workflows.StepDone, "go_ahead": workflows.StepDone,
		"tell": workflows.StepDone, "page_stale": workflows.StepSkipped, "pause": workflows.StepDone, "both": workflows.StepDone,
		"volume": workflows.StepDone, "latest": workflows.StepDone, "again": workflows.StepDone}
	for _, s := range st.Steps {
		if w, ok := want[s.ID]; ok && s.State != w {
			t.Errorf("step %s is %s (%s), want %s", s.ID, s.State, s.Error, w)
		}
		delete(want, s.ID)
		if s.ID == "go_ahead" && (!s.Result.Approved || s.Result.By != tourApprover) {
			t.Errorf("go_ahead result %+v; want approved by %s", s.Result, tourApprover)
		}
	}
	if len(want) > 0 {
		t.Errorf("the status lacks the steps %v", want)
	}
}

// awaitRunbookStatus polls a run's status query until it reports status.
func awaitRunbookStatus(t *testing.T, id, status string) {
	t.Helper()
	var last workflows.RunbookStatus
	reached := pollUntil(time.Minute, 100*time.Millisecond, func() bool {
		v, err := env.Client.QueryWorkflow(t.Context(), id, "", workflows.StatusQuery)
		return err == nil && v.Get(&last) == nil && last.Status == status
	})
	if !reached {
		t.Fatalf("%s never reached status %s; last %+v", id, status, last)
	}
}

// decideRunbook approves the tour's approve step as by, through the update
// a Slack button or another client sends.
func decideRunbook(t *testing.T, id, by string) error {
	t.Helper()
	h, err := env.Client.UpdateWorkflow(t.Context(), client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: workflows.RunbookApproveUpdate, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.RunbookApproval{Step: "go_ahead", By: by, Approve: true}},
	})
	if err != nil {
		return err
	}
	return h.Get(t.Context(), nil)
}
