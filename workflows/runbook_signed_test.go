package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
)

// testRunbookID is the workflow ID the signed runbook tests run under.
const testRunbookID = "runbook/gates/orders/t1"

// twoGatesYAML asks the owner twice before it reloads.
const twoGatesYAML = `
name: gates
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: first
    approve: {approvers: [owner], timeout: 1h, default: reject}
  - id: second
    approve: {approvers: [owner], timeout: 1h, default: reject}
  - id: reload
    sql: {dataset: orders, statement: SELECT 1}
`

// signedRuns sends decisions to a run and keeps the refusals by label.
type signedRuns struct {
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	people   *testPeople
	rejected map[string]error
	accepted map[string]bool
}

// guardRunbook makes env's worker know testPeople, require signatures,
// and list orders owned by data-owners with alice, the requester, among
// its PII approvers: "owner" in a step's approvers stands for them.
func guardRunbook(t *testing.T, env *testsuite.TestWorkflowEnvironment, p *activities.Policy) *signedRuns {
	tp := newTestPeople(t)
	ds := ordersDataset()
	ds.Owner = catalog.Owner{Team: "data-owners", SlackChannel: "#orders"}
	ds.PII.Approvers = []string{"alice"}
	p.People, p.AllowUnsigned, p.Catalog = tp.dir, false, catalog.New([]catalog.Dataset{ds})
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: testRunbookID})
	return &signedRuns{t: t, env: env, people: tp, rejected: map[string]error{}, accepted: map[string]bool{}}
}

// send decides after delay, signed by signer as by when signer is set,
// made age before the clock's now.
func (r *signedRuns) send(delay time.Duration, label, signer, by string, a RunbookApproval, age time.Duration, nonce string) {
	r.sendTo(testRunbookID, delay, label, signer, by, a, age, nonce)
}

// sendTo is send to the run id, which may be a called runbook's.
func (r *signedRuns) sendTo(id string, delay time.Duration, label, signer, by string, a RunbookApproval, age time.Duration, nonce string) {
	r.env.RegisterDelayedCallback(func() {
		a.By = by
		if signer != "" {
			a.Proof = r.people.signed(r.t, signer, by, id, RunbookApproveUpdate, RunbookApprovalTarget(a), r.env.Now().Add(-age), nonce)
		}
		err := r.env.UpdateWorkflowByID(id, RunbookApproveUpdate, label, &testsuite.TestUpdateCallback{
			OnAccept: func() { r.accepted[label] = true }, OnReject: func(err error) { r.rejected[label] = err }, OnComplete: func(any, error) {},
		}, a)
		if err != nil {
			r.t.Errorf("%s: %v", label, err)
		}
	}, delay)
}

func (r *signedRuns) wantRefused(want map[string]string) {
	r.t.Helper()
	for label, why := range want {
		if err := r.rejected[label]; err == nil || !strings.Contains(err.Error(), why) {
			r.t.Errorf("%s: refusal %v; want one saying %q", label, err, why)
		}
	}
}

// With signatures required, an approve step is decided only by a fresh
// signature, used once, of an approver who did not start the run; the
// refused ones change nothing, and the accepted ones are audited with the
// key.
func TestRunbookSignedApprovals(t *testing.T) {
	env, policy, audit := newGuardedRunbookEnv()
	r := guardRunbook(t, env, policy)
	var sqls []activities.RunbookSQLInput
	fakeSQL(env, nil, &sqls)
	first, second := RunbookApproval{Step: "first", Approve: true}, RunbookApproval{Step: "second", Approve: true}
	r.send(10*time.Minute, "unsigned", "", "owner", first, 0, "")
	r.send(11*time.Minute, "another's key", "mallory", "owner", first, 0, "nonce-mallory-as-own")
	r.send(12*time.Minute, "stale", "owner", "owner", first, 11*time.Minute, "nonce-owner-stale01")
	r.send(13*time.Minute, "requester", "alice", "alice", first, 0, "nonce-alice-first01")
	r.send(14*time.Minute, "no approver", "mallory", "mallory", first, 0, "nonce-mallory-first")
	r.send(15*time.Minute, "first", "owner", "owner", first, 0, "nonce-owner-first01")
	r.send(20*time.Minute, "replayed", "owner", "owner", second, 0, "nonce-owner-first01")
	r.send(22*time.Minute, "second", "owner", "owner", second, 0, "nonce-owner-second1")
	in := runbookInput(t, twoGatesYAML, map[string]string{"dataset": "orders"})
	in.Requester = "alice"
	env.ExecuteWorkflow(Runbook, in)
	st, err := runbookStatus(t, env)

	r.wantRefused(map[string]string{"unsigned": "decisions.allow_unsigned is off", "another's key": "belongs to someone else",
		"stale": "too old", "requester": "separation of duties", "no approver": "may not decide a runbook approval", "replayed": "already used"})
	if err != nil || st.Status != RunbookOK || len(sqls) != 1 || !r.accepted["first"] || !r.accepted["second"] {
		t.Fatalf("run %v, %s, %d SQL; accepted %v; want both owner's approvals, then the reload", err, st.Status, len(sqls), r.accepted)
	}
	if by := step(t, st, "first").Result.By; by != "owner" {
		t.Errorf("first approved by %q; want owner", by)
	}
	want := "owner " + r.people.fingerprint("owner")
	if got := audit.keyOf(authz.RunbookApprove); len(got) != 2 || got[0] != want || got[1] != want {
		t.Errorf("audited approvals %q; want two by %q", got, want)
	}
}

// A signature covers the verdict: one made to reject cannot approve.
func TestRunbookSignedRejectionCannotApprove(t *testing.T) {
	env, policy, audit := newGuardedRunbookEnv()
	r := guardRunbook(t, env, policy)
	var sqls []activities.RunbookSQLInput
	fakeSQL(env, nil, &sqls)
	r.env.RegisterDelayedCallback(func() {
		reject := RunbookApproval{Step: "first", By: "owner"}
		signed := r.people.signed(t, "owner", "owner", testRunbookID, RunbookApproveUpdate, RunbookApprovalTarget(reject), env.Now(), "nonce-owner-reject1")
		r.env.UpdateWorkflow(RunbookApproveUpdate, "flipped", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { r.rejected["flipped"] = err }, OnComplete: func(any, error) {},
		}, RunbookApproval{Step: "first", By: "owner", Approve: true, Proof: signed})
	}, 10*time.Minute)
	env.ExecuteWorkflow(Runbook, runbookInput(t, twoGatesYAML, map[string]string{"dataset": "orders"}))
	st, _ := runbookStatus(t, env)
	r.wantRefused(map[string]string{"flipped": "signature does not match the decision"})
	if len(sqls) != 0 || step(t, st, "first").State != StepFailed || len(audit.keyOf(authz.RunbookApprove)) != 0 {
		t.Fatalf("flipped verdict: %d SQL, first %s; want the gate timed out, nothing run or audited", len(sqls), step(t, st, "first").State)
	}
}

// Overriding an SLO freeze is the authz decision backfill.override_freeze:
// the requester and non-owners are refused, the owner's signed override
// lets the run write, audited with the key.
func TestRunbookSignedFreezeOverride(t *testing.T) {
	e := newFreezeEnv(frozenText, nil)
	r := guardRunbook(t, e.TestWorkflowEnvironment, e.policy)
	override := RunbookApproval{Step: RunbookFreezeStep, Approve: true}
	r.send(time.Hour, "requester", "alice", "alice", override, 0, "nonce-alice-freeze1")
	r.send(time.Hour+time.Minute, "no owner", "mallory", "mallory", override, 0, "nonce-mallory-frz01")
	r.send(time.Hour+2*time.Minute, "unsigned", "", "owner", override, 0, "")
	r.send(2*time.Hour, "owner", "owner", "owner", override, 0, "nonce-owner-freeze1")
	in := frozenRunbook(t, fixYAML)
	in.Requester = "cli:alice"
	e.ExecuteWorkflow(Runbook, in)
	st, err := runbookStatus(t, e.TestWorkflowEnvironment)

	r.wantRefused(map[string]string{"requester": "separation of duties", "no owner": "may not override a backfill hold", "unsigned": "allow_unsigned is off"})
	if err != nil || st.Status != RunbookOK || len(e.sqls) != 2 {
		t.Fatalf("run %v, %s, %d SQL; want the owner's override to let both steps run", err, st.Status, len(e.sqls))
	}
	if got := e.audit.keyOf(authz.BackfillOverride); len(got) != 1 || got[0] != "owner "+r.people.fingerprint("owner") {
		t.Errorf("audited overrides %q; want one by owner with the key", got)
	}
}

// oneGateYAML asks the owner once; callGateYAML calls it.
const (
	oneGateYAML = `
name: gate1
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: go
    approve: {approvers: [owner], timeout: 1h, default: reject}
`
	callGateYAML = `
name: caller
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: call_gate
    runbook: {name: gate1, inputs: {dataset: inputs.dataset}}
`
)

// Whoever asked for a run cannot approve the steps of the runbooks it
// calls either, though the called run's requester is the calling run.
func TestRunbookCalledRunKeepsTheRequesterFromApproving(t *testing.T) {
	env, policy, audit := newGuardedRunbookEnv()
	r := guardRunbook(t, env, policy)
	child := testRunbookID + "/call_gate"
	approve := RunbookApproval{Step: "go", Approve: true}
	r.sendTo(child, 10*time.Minute, "requester", "alice", "alice", approve, 0, "nonce-alice-child01")
	r.sendTo(child, 11*time.Minute, "owner", "owner", "owner", approve, 0, "nonce-owner-child01")
	in := runbookInput(t, callGateYAML, map[string]string{"dataset": "orders"})
	in.Requester = "alice"
	in.CallerRequester = "bob" // ignored: only a calling run sets it
	in.Callees = calleesOf(runbookInput(t, oneGateYAML, map[string]string{"dataset": "orders"}))
	env.ExecuteWorkflow(Runbook, in)
	st, err := runbookStatus(t, env)

	r.wantRefused(map[string]string{"requester": "separation of duties"})
	if err != nil || st.Status != RunbookOK || !r.accepted["owner"] {
		t.Fatalf("run %v, %s; accepted %v; want the owner's approval of the called step", err, st.Status, r.accepted)
	}
	if got := audit.keyOf(authz.RunbookApprove); len(got) != 1 || got[0] != "owner "+r.people.fingerprint("owner") {
		t.Errorf("audited %q; want the owner's approval with the key", got)
	}
}
