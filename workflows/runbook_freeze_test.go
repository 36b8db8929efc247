package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// fixYAML writes SQL on its dataset; readYAML only reads it.
const (
	fixYAML = `
name: fix
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: count
    sql: {dataset: orders, statement: SELECT count(*) FROM orders}
  - id: patch
    sql: {dataset: orders, statement: "UPDATE orders SET status = 'ok' WHERE status IS NULL"}
`
	readYAML = `
name: look
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: count
    sql: {dataset: orders, statement: SELECT count(*) FROM orders}
`
)

const frozenText = "the SLO error budget of orders is exhausted"

// frozenRunbook is a run of yaml on orders, a dataset with an SLO whose
// PII approver is U1 (besides its owner's team and channel).
func frozenRunbook(t *testing.T, yaml string) RunbookInput {
	in := runbookInput(t, yaml, map[string]string{"dataset": "orders"})
	ds := in.Datasets["orders"]
	ds.SLOs = []catalog.SLO{{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: time.Hour}}}
	ds.PII.Approvers = []string{"U1"}
	in.Datasets["orders"] = ds
	return in
}

// freezeEnv is a runbook environment whose worker reports the freeze
// (reason, err) and counts the questions.
type freezeEnv struct {
	*testsuite.TestWorkflowEnvironment
	sqls   []activities.RunbookSQLInput
	posted []activities.SlackMessage
	asked  int
	policy *activities.Policy
	audit  *auditLog
}

func newFreezeEnv(reason string, err error) *freezeEnv {
	env, policy, audit := newGuardedRunbookEnv()
	e := &freezeEnv{TestWorkflowEnvironment: env, policy: policy, audit: audit}
	fakeSQL(e.TestWorkflowEnvironment, nil, &e.sqls)
	fakeSlack(e.TestWorkflowEnvironment, &e.posted)
	var slos *activities.SLOs
	e.OnActivity(slos.FreezeReason, mock.Anything, "orders").Return(
		func(context.Context, string) (string, error) { e.asked++; return reason, err }).Maybe()
	return e
}

// statusAt queries the run's status after delay.
func (e *freezeEnv) statusAt(t *testing.T, delay time.Duration, into *RunbookStatus) {
	e.RegisterDelayedCallback(func() {
		v, err := e.QueryWorkflow(StatusQuery)
		if err != nil {
			t.Error(err)
			return
		}
		if err := v.Get(into); err != nil {
			t.Error(err)
		}
	}, delay)
}

func TestRunbookOnAFrozenDatasetWaitsForTheOwnersApproval(t *testing.T) {
	e := newFreezeEnv(frozenText, nil)
	var held RunbookStatus
	e.statusAt(t, time.Hour, &held)
	var strangerAccepted, ownerAccepted bool
	decide(e.TestWorkflowEnvironment, 2*time.Hour, RunbookApproval{Step: RunbookFreezeStep, By: "U666", Approve: true}, &strangerAccepted)
	decide(e.TestWorkflowEnvironment, 3*time.Hour, RunbookApproval{Step: RunbookFreezeStep, By: "U1", Approve: true}, &ownerAccepted)
	e.ExecuteWorkflow(Runbook, frozenRunbook(t, fixYAML))
	st, err := runbookStatus(t, e.TestWorkflowEnvironment)
	if err != nil {
		t.Fatalf("approved run: %v", err)
	}
	if held.Status != RunbookWaiting || !strings.Contains(held.Hold, frozenText) || !strings.Contains(held.Hold, "--step slo-freeze") || held.Steps[0].State != StepPending {
		t.Errorf("while frozen: status %s, hold %q, first step %s; want waiting, the reason and how to approve, nothing run", held.Status, held.Hold, held.Steps[0].State)
	}
	if strangerAccepted || !ownerAccepted {
		t.Errorf("decisions accepted: stranger %v, approver U1 %v; want only U1's", strangerAccepted, ownerAccepted)
	}
	if st.Status != RunbookOK || st.Hold != "" || len(e.sqls) != 2 || e.asked != 1 {
		t.Errorf("after approval: %s, hold %q, %d SQL steps run, %d questions; want ok, no hold, 2 and 1", st.Status, st.Hold, len(e.sqls), e.asked)
	}
	if len(e.posted) != 1 || e.posted[0].Channel != "#commerce-data" || !strings.Contains(e.posted[0].Text, "dre runbook approve") {
		t.Errorf("Slack posts %+v; want one to #commerce-data saying how to approve", e.posted)
	}
}

func TestRunbookOnAFrozenDatasetIsDeniedWithoutADecision(t *testing.T) {
	for _, tt := range []struct {
		name   string
		reason string
		err    error
		want   string
	}{
		{"frozen", frozenText, nil, frozenText},
		{"freeze unreadable", "", temporal.NewNonRetryableApplicationError("visibility unavailable", "Unavailable", errors.New("down")), "could not be checked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newFreezeEnv(tt.reason, tt.err)
			e.ExecuteWorkflow(Runbook, frozenRunbook(t, fixYAML))
			st, err := runbookStatus(t, e.TestWorkflowEnvironment)
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != ErrRunbookFrozen || !app.NonRetryable() {
				t.Fatalf("unapproved run ended with %v; want a non-retryable %s", err, ErrRunbookFrozen)
			}
			for _, part := range []string{"dataset orders is frozen", tt.want, "default is deny", "dre runbook approve"} {
				if !strings.Contains(app.Message(), part) {
					t.Errorf("error %q does not say %q", app.Message(), part)
				}
			}
			if st.Status != RunbookFailed || len(e.sqls) != 0 || st.Steps[0].State != StepPending {
				t.Errorf("unapproved: %s with %d SQL steps run; want failed and none", st.Status, len(e.sqls))
			}
		})
	}
}

func TestRunbookRejectedOnAFrozenDatasetRunsNothing(t *testing.T) {
	e := newFreezeEnv(frozenText, nil)
	var accepted bool
	decide(e.TestWorkflowEnvironment, time.Hour, RunbookApproval{Step: RunbookFreezeStep, By: "commerce", Approve: false}, &accepted)
	e.ExecuteWorkflow(Runbook, frozenRunbook(t, fixYAML))
	_, err := runbookStatus(t, e.TestWorkflowEnvironment)
	if !accepted || err == nil || !strings.Contains(err.Error(), "rejected by commerce") || len(e.sqls) != 0 {
		t.Fatalf("rejected (accepted %v): %v, %d SQL steps; want a failure naming commerce and none run", accepted, err, len(e.sqls))
	}
}

// TestRunbookThatCannotBeHeldAsksNothing: a read-only runbook, or a
// dataset without SLOs (no evaluator freezes it), runs at once.
func TestRunbookThatCannotBeHeldAsksNothing(t *testing.T) {
	noSLOs := func(t *testing.T) RunbookInput {
		in := frozenRunbook(t, fixYAML)
		ds := in.Datasets["orders"]
		ds.SLOs = nil
		in.Datasets["orders"] = ds
		return in
	}
	readOnly := func(t *testing.T) RunbookInput { return frozenRunbook(t, readYAML) }
	for name, in := range map[string]func(*testing.T) RunbookInput{"without SLOs": noSLOs, "read-only": readOnly} {
		t.Run(name, func(t *testing.T) {
			e := newFreezeEnv(frozenText, nil)
			e.ExecuteWorkflow(Runbook, in(t))
			st, err := runbookStatus(t, e.TestWorkflowEnvironment)
			if err != nil || st.Status != RunbookOK || e.asked != 0 || len(e.sqls) == 0 {
				t.Fatalf("%v, %s, %d questions, %d SQL steps; want ok at once with no question", err, st.Status, e.asked, len(e.sqls))
			}
		})
	}
}

// callerYAML only calls fix, which writes: the caller is held, and fix,
// run as its child on the same dataset, is not held a second time.
const callerYAML = `
name: caller
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: run_fix
    runbook: {name: fix, inputs: {dataset: inputs.dataset}}
`

func TestRunbookApprovedThroughAFreezeIsNotHeldAgainByItsCallees(t *testing.T) {
	e := newFreezeEnv(frozenText, nil)
	var accepted bool
	decide(e.TestWorkflowEnvironment, time.Hour, RunbookApproval{Step: RunbookFreezeStep, By: "commerce", Approve: true}, &accepted)
	in := frozenRunbook(t, callerYAML)
	in.Callees = calleesOf(frozenRunbook(t, fixYAML))
	e.ExecuteWorkflow(Runbook, in)
	st, err := runbookStatus(t, e.TestWorkflowEnvironment)
	if err != nil || !accepted || st.Status != RunbookOK || e.asked != 1 || len(e.sqls) != 2 {
		t.Fatalf("%v (approval accepted %v): %s, %d questions, %d SQL steps; want ok, asked once, fix's 2 steps run", err, accepted, st.Status, e.asked, len(e.sqls))
	}
}

// calleesOf offers in's runbook to be called by its name.
func calleesOf(in RunbookInput) map[string]runbooks.Runbook {
	return map[string]runbooks.Runbook{in.Runbook.Name: in.Runbook}
}

// TestRunbookChecksTheFreezeWhenTheInputHidesTheSLOs: a client that sends
// the target dataset without the SLOs the worker's catalog gives it, or
// leaves it out of the datasets altogether, still meets the freeze.
func TestRunbookChecksTheFreezeWhenTheInputHidesTheSLOs(t *testing.T) {
	hide := map[string]func(*RunbookInput){
		"without its SLOs": func(in *RunbookInput) { ds := in.Datasets["orders"]; ds.SLOs = nil; in.Datasets["orders"] = ds },
		"left out":         func(in *RunbookInput) { delete(in.Datasets, "orders") },
	}
	for name, forge := range hide {
		t.Run(name, func(t *testing.T) {
			e := newFreezeEnv(frozenText, nil)
			in := frozenRunbook(t, fixYAML)
			e.policy.Catalog = catalog.New([]catalog.Dataset{in.Datasets["orders"]})
			forge(&in)
			e.ExecuteWorkflow(Runbook, in)
			st, err := runbookStatus(t, e.TestWorkflowEnvironment)
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != ErrRunbookFrozen || e.asked != 1 || len(e.sqls) != 0 {
				t.Fatalf("dataset %s under a freeze: %v, %s, %d questions, %d SQL steps; want %s after one question, none run",
					name, err, st.Status, e.asked, len(e.sqls), ErrRunbookFrozen)
			}
		})
	}
}
