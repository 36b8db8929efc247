package workflows

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

// signedApproval is by's approval of the orders backfill, signed with
// signer's key at offset after of the test clock.
func (tp *testPeople) signedApproval(t *testing.T, signer, by string, after time.Duration, nonce string) BackfillApproval {
	d := decision.Decision{WorkflowID: BackfillWorkflowID("orders"), Action: BackfillApproveUpdate, Target: "orders", Decider: by,
		At: backfillClock.Add(after), Nonce: nonce}
	return BackfillApproval{By: by, Proof: tp.proof(t, signer, d)}
}

// backfillClock is the test clock's start in the authz tests.
var backfillClock = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// A backfill held by an SLO freeze, started by alice through a plain
// client, waits for an override by the owner team (the default rule for
// backfill.override_freeze): alice herself, a stranger, an unsigned
// approval and a replayed signature are refused and write nothing; the
// owner's signed override runs it and is audited with the key.
func TestBackfillFreezeOverrideIsAuthorizedAndAudited(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(backfillClock)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: BackfillWorkflowID("orders")})
	tp := newTestPeople(t)
	in := frozenInput()
	in.Requester, in.Dataset.Owner.Team = "cli:alice", "orders-team"
	env.RegisterActivity(&activities.Policy{Catalog: catalog.New([]catalog.Dataset{in.Dataset}), People: people.NewDirectory(map[string]people.Person{
		"owner": personWithKey(tp, "owner", "UOWNER"), "alice": personWithKey(tp, "alice", "UALICE"), "mallory": personWithKey(tp, "mallory", "UMALLORY"),
	}, map[string]people.Group{"orders-team": {People: []string{"owner", "alice"}}})})
	var mu sync.Mutex
	var audited []activities.AuditEntry
	var a *activities.Audit
	env.OnActivity(a.Record, mock.Anything, mock.Anything).Return(func(_ context.Context, e activities.AuditEntry) (activities.AuditRecorded, error) {
		mu.Lock()
		defer mu.Unlock()
		audited = append(audited, e)
		return activities.AuditRecorded{Recorded: true}, nil
	})
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var slos *activities.SLOs
	env.OnActivity(slos.FreezeReason, mock.Anything, "orders").Return("the SLO error budget of orders is exhausted", nil)
	ownerOK := tp.signedApproval(t, "owner", "owner", 5*time.Minute, "nonce-owner-approve1")
	refused := map[string]*updateOutcome{
		"requester": sendUpdate(env, time.Minute, BackfillApproveUpdate, tp.signedApproval(t, "alice", "alice", time.Minute, "nonce-alice-approve1")),
		"stranger":  sendUpdate(env, 2*time.Minute, BackfillApproveUpdate, tp.signedApproval(t, "mallory", "mallory", 2*time.Minute, "nonce-mallory-apprv1")),
		"unsigned":  sendUpdate(env, 3*time.Minute, BackfillApproveUpdate, BackfillApproval{By: "owner"}),
		"bare name": sendUpdate(env, 4*time.Minute, BackfillApproveUpdate, "owner"),
	}
	approved := sendUpdate(env, 5*time.Minute, BackfillApproveUpdate, ownerOK)
	replay := sendUpdate(env, 6*time.Minute, BackfillApproveUpdate, ownerOK)
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	for label, want := range map[string]string{"requester": "separation of duties", "stranger": "may not override a backfill hold",
		"unsigned": "not signed", "bare name": "not signed"} {
		if err := refused[label].rejected; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want refused saying %q", label, err, want)
		}
	}
	if approved.rejected != nil || got.Status != BackfillDone || got.Approver != "owner" || len(seen) != 3 {
		t.Fatalf("owner's override (%v): %s by %q, %d writes; want done by owner, 3 writes", approved.rejected, got.Status, got.Approver, len(seen))
	}
	if replay.rejected == nil {
		t.Errorf("the same signed approval was accepted twice")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(audited) != 1 || audited[0].Action != AuditBackfillFreezeOverride || audited[0].Details["verified_key"] != tp.fingerprint("owner") {
		t.Fatalf("audit %+v; want one freeze override by owner's key %s", audited, tp.fingerprint("owner"))
	}
}
