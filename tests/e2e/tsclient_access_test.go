package e2e

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// TestTSClientAccessApprovalMeetsTheGuard proves that an access request
// started and decided through the TypeScript SDK's client (another SDK,
// no dre code on the client side) meets the same guard as one from the
// CLI or the gateway: the guard is the workflow's update validator, so
// whoever sends the decision, an unsigned approval, a Slack user claimed
// without the gateway's signature, a signature by someone else's key, one
// signed for another request and the requester's own approval are refused
// with the guard's reason, counted in dre_decisions_refused, and grant
// nothing in PostgreSQL, although the start claimed the requester as the
// dataset's approver. The approver's signed approval, sent by the same
// client, grants; the audit log names its key; the requester's signed
// revocation takes the grant away.
func TestTSClientAccessApprovalMeetsTheGuard(t *testing.T) {
	requireTSClient(t)
	f := accessSetup(t)
	f.createRoles(t, false, "e2e_ts_erin")
	dir, keys := tsPeople(t)
	queue := f.queue + "-tsclient"
	refusals := newTSRefusals()
	c, err := env.Server.NewClient(client.Options{Logger: harness.QuietLogger(), MetricsHandler: refusals})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := sdkworker.New(c, queue, sdkworker.Options{})
	deps := f.deps
	deps.Policy = &activities.Policy{People: dir, Catalog: f.cfg.Catalog, AllowUnsigned: false}
	worker.Register(w, deps)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	ds, err := f.cfg.Catalog.Lookup("customers")
	if err != nil {
		t.Fatal(err)
	}
	ds.PII.Approvers = []string{"erin"} // the starter's claim; the worker's catalog names U0DEMOOWNER
	id := workflows.AccessRequestWorkflowID("customers", "erin", "tsclient")
	tsStart(t, queue, workflows.AccessRequestWorkflowName, id, workflows.AccessRequestInput{
		Dataset: ds, Requester: "erin", Principal: "e2e_ts_erin", Duration: time.Hour, Reason: "ticket 5120"})
	var st workflows.AccessRequestState
	waitStatus(t, id, workflows.AccessPending, &st, func() string { return st.Status })

	approve := workflows.AccessApproveUpdate
	for _, r := range []struct {
		name, says string
		d          workflows.AccessDecision
	}{
		{"unsigned", "allow_unsigned is off", workflows.AccessDecision{By: "demo-owner"}},
		{"a Slack user claimed without the gateway", "not signed by the gateway",
			workflows.AccessDecision{By: "demo-owner", Proof: workflows.Proof{Via: workflows.ViaSlack, SlackUser: "U0DEMOOWNER"}}},
		{"signed by someone else's key", "belongs to someone else",
			workflows.AccessDecision{By: "demo-owner", Proof: tsSigned(t, keys["mallory"], id, approve, "customers", "demo-owner")}},
		{"signed for another request", "signature",
			workflows.AccessDecision{By: "demo-owner", Proof: tsSigned(t, keys["demo-owner"], id+"-other", approve, "customers", "demo-owner")}},
		{"the requester's own", "separation of duties",
			workflows.AccessDecision{By: "erin", Proof: tsSigned(t, keys["erin"], id, approve, "customers", "erin")}},
	} {
		a := tsUpdate(t, id, approve, r.d)
		if a.OK || !strings.Contains(a.Error, r.says) {
			t.Errorf("%s approval through the TypeScript client: %+v; want it refused saying %q", r.name, a, r.says)
		}
		if f.canSelect(t, "e2e_ts_erin") {
			t.Fatalf("the %s approval granted e2e_ts_erin SELECT on customers", r.name)
		}
	}
	wf, rule := workflows.AccessRequestWorkflowName, authz.AccessApprove
	if u, s := refusals.count(wf, rule, "unproven"), refusals.count(wf, rule, authz.ReasonSelfApproval); u != 4 || s != 1 {
		t.Errorf("%s counted %d unproven and %d self-approvals; want 4 and 1", workflows.MetricDecisionsRefused, u, s)
	}
	tsAccessGrantAndRevoke(t, f, id, keys)
}

// tsAccessGrantAndRevoke: the approver's signed approval, sent through the
// TypeScript client, grants and is audited with the approver's key, and
// the requester's signed revocation ends the grant, so the refusals above
// were the guard's and not the client failing.
func tsAccessGrantAndRevoke(t *testing.T, f *accessFixture, id string, keys map[string]ssh.Signer) {
	t.Helper()
	approve := workflows.AccessApproveUpdate
	ok := workflows.AccessDecision{By: "demo-owner", Proof: tsSigned(t, keys["demo-owner"], id, approve, "customers", "demo-owner")}
	if a := tsUpdate(t, id, approve, ok); !a.OK {
		t.Fatalf("the approver's signed approval through the TypeScript client: %s", a.Error)
	}
	var st workflows.AccessRequestState
	waitStatus(t, id, workflows.AccessGranted, &st, func() string { return st.Status })
	if !f.canSelect(t, "e2e_ts_erin") {
		t.Fatal("granted, but e2e_ts_erin cannot SELECT customers")
	}
	eventually(t, "the approval's audit record", func() bool { return auditedKeyOrEmpty(t, f, id, workflows.AuditAccessApproved) != "" })
	if got, want := auditedKey(t, f, id, workflows.AuditAccessApproved), ssh.FingerprintSHA256(keys["demo-owner"].PublicKey()); got != want {
		t.Errorf("the approval's audit record has verified_key %q; want demo-owner's %q", got, want)
	}
	revoke := workflows.AccessRevokeUpdate
	end := workflows.AccessDecision{By: "erin", Proof: tsSigned(t, keys["erin"], id, revoke, "customers", "erin")}
	if a := tsUpdate(t, id, revoke, end); !a.OK {
		t.Fatalf("the requester's signed revocation through the TypeScript client: %s", a.Error)
	}
	waitStatus(t, id, workflows.AccessRevoked, &st, func() string { return st.Status })
	if f.canSelect(t, "e2e_ts_erin") {
		t.Fatal("revoked, but e2e_ts_erin can still SELECT customers")
	}
}
