package workflows

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

// testRequestID is the workflow ID the access harness runs under, which
// signed decisions name.
const testRequestID = "access-request/customers/UALICE/t1"

// testPeople is the worker's directory in the access tests: owner (Slack
// UOWNER, in group data-owners), alice (UALICE, the requester), mallory
// (UMALLORY, no approver) and gateway (the Slack relay's key), each with
// an ed25519 key.
type testPeople struct {
	dir  *people.Directory
	keys map[string]ssh.Signer
}

func newTestPeople(t *testing.T) *testPeople {
	t.Helper()
	tp := &testPeople{keys: map[string]ssh.Signer{}}
	persons := map[string]people.Person{}
	for id, slackUser := range map[string]string{"owner": "UOWNER", "alice": "UALICE", "mallory": "UMALLORY", "gateway": ""} {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		signer, err := ssh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		key, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
		if err != nil {
			t.Fatal(err)
		}
		tp.keys[id] = signer
		persons[id] = people.Person{SlackUser: slackUser, Keys: []people.PublicKey{key}, Principals: map[string]string{"local": id}}
	}
	tp.dir = people.NewDirectory(persons, map[string]people.Group{"data-owners": {People: []string{"owner"}}})
	return tp
}

// sign is by's decision on the harness's request, signed with signer's key.
func (tp *testPeople) sign(t *testing.T, signer, by, action string, at time.Time, nonce string) AccessDecision {
	t.Helper()
	return tp.signFor(t, signer, by, "", action, at, nonce)
}

// signFor is sign for a decision passed on for onBehalfOf.
func (tp *testPeople) signFor(t *testing.T, signer, by, onBehalfOf, action string, at time.Time, nonce string) AccessDecision {
	t.Helper()
	d := decision.Decision{WorkflowID: testRequestID, Action: action, Target: "customers", Decider: by, OnBehalfOf: onBehalfOf, At: at, Nonce: nonce}
	return AccessDecision{By: by, Proof: tp.proof(t, signer, d)}
}

// proof is d signed with signer's key, as the Proof a decision carries.
func (tp *testPeople) proof(t *testing.T, signer string, d decision.Decision) Proof {
	t.Helper()
	sig, err := decision.Sign(d, tp.keys[signer])
	if err != nil {
		t.Fatal(err)
	}
	return Proof{Signature: sig, At: d.At, Nonce: d.Nonce}
}

func (tp *testPeople) fingerprint(id string) string {
	return ssh.FingerprintSHA256(tp.keys[id].PublicKey())
}

// at is the harness's workflow time after d.
func at(d time.Duration) time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC).Add(d) }

func wantRefusals(t *testing.T, got []error, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("refusals %v; want %d saying %q", got, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(got[i].Error(), w) {
			t.Errorf("refusal %d = %q; want it to say %q", i, got[i], w)
		}
	}
}

// With signatures required, only a fresh signature by an approver who is
// not the requester decides; each refusal says why and changes nothing.
func TestAccessRequestSignedDecisions(t *testing.T) {
	h := newAccessHarness(t)
	h.policy.AllowUnsigned = false
	tp := h.people
	h.update(1*time.Minute, AccessApproveUpdate, AccessDecision{By: "owner"})
	h.update(2*time.Minute, AccessApproveUpdate, tp.sign(t, "mallory", "owner", AccessApproveUpdate, at(2*time.Minute), "nonce-mallory-0001"))
	h.update(3*time.Minute, AccessApproveUpdate, tp.sign(t, "owner", "owner", AccessApproveUpdate, at(3*time.Minute-11*time.Minute), "nonce-stale-000001"))
	h.update(4*time.Minute, AccessApproveUpdate, tp.sign(t, "alice", "alice", AccessApproveUpdate, at(4*time.Minute), "nonce-alice-000001"))
	h.update(5*time.Minute, AccessApproveUpdate, tp.sign(t, "mallory", "mallory", AccessApproveUpdate, at(5*time.Minute), "nonce-mallory-0002"))
	h.update(6*time.Minute, AccessApproveUpdate, tp.sign(t, "owner", "owner", AccessDenyUpdate, at(6*time.Minute), "nonce-owner-000000"))
	h.update(7*time.Minute, AccessApproveUpdate, tp.sign(t, "owner", "owner", AccessApproveUpdate, at(7*time.Minute), "nonce-owner-000001"))
	// The approval's nonce on a revoke is a replay, even freshly signed.
	h.update(time.Hour, AccessRevokeUpdate, tp.sign(t, "owner", "owner", AccessRevokeUpdate, at(time.Hour), "nonce-owner-000001"))
	h.update(2*time.Hour, AccessRevokeUpdate, tp.sign(t, "alice", "alice", AccessRevokeUpdate, at(2*time.Hour), "nonce-alice-000002"))
	st := h.runRequest(aliceRequest())

	wantRefusals(t, h.rejected, "decisions.allow_unsigned is off", "belongs to someone else", "too old", "separation of duties",
		"may not approve access", "does not match", "already used")
	var sod *temporal.ApplicationError
	if !errors.As(h.rejected[3], &sod) || sod.Type() != ErrSeparationOfDuties {
		t.Errorf("self-approval refused as %v; want a %s error", h.rejected[3], ErrSeparationOfDuties)
	}
	if st.Status != AccessRevoked || st.DecidedBy != "owner" || st.EndedBy != "alice" || st.DecisionKey != tp.fingerprint("owner") || len(h.granted) != 1 {
		t.Fatalf("state %+v, granted %d; want owner's signed approval, then alice's revocation", st, len(h.granted))
	}
	keys := map[string]string{}
	for _, e := range h.audited {
		keys[e.Action] = e.Details["verified_key"]
	}
	if keys[AuditAccessApproved] != tp.fingerprint("owner") || keys[AuditAccessRevoked] != tp.fingerprint("alice") {
		t.Errorf("audited keys %v; want owner's on the approval and alice's on the revocation", keys)
	}
}

// Under decisions.allow_unsigned a decision by name is accepted, marked
// unverified; Slack IDs and groups resolve through the directory.
func TestAccessRequestUnsignedDecisionIsMarkedUnverified(t *testing.T) {
	h := newAccessHarness(t)
	ds := customersDataset()
	ds.PII.Approvers = []string{"data-owners"}
	h.policy.Catalog = catalog.New([]catalog.Dataset{ds})
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "cli:alice"})
	h.update(2*time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	st := h.runRequest(aliceRequest())
	wantRefusals(t, h.rejected, "separation of duties")
	if st.Status != AccessExpired || st.DecisionKey != Unverified {
		t.Fatalf("state %+v; want UOWNER's unverified approval, then expiry", st)
	}
	for _, e := range h.audited {
		if e.Action == AuditAccessApproved && e.Details["verified_key"] != Unverified {
			t.Errorf("approval audited with verified_key %q; want %q", e.Details["verified_key"], Unverified)
		}
	}
}

// The approvers and the table are the worker's, whatever the starter put
// in the input: a starter cannot name themselves an approver.
func TestAccessRequestUsesTheWorkersCatalog(t *testing.T) {
	h := newAccessHarness(t)
	in := aliceRequest()
	in.Dataset.PII.Approvers = []string{"UMALLORY"}
	in.Dataset.Table = "hr.salaries"
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UMALLORY"})
	h.update(2*time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	h.runRequest(in)
	wantRefusals(t, h.rejected, "may not approve access")
	if len(h.granted) != 1 || h.granted[0].Grant.Table.String() != "public.customers" {
		t.Fatalf("granted %+v; want the worker's table public.customers", h.granted)
	}
}

// A worker without dre.yaml's policy cannot check anyone: it refuses.
func TestAccessRequestWithoutAPolicyFails(t *testing.T) {
	h := newAccessHarness(t)
	h.policy.Catalog = nil
	h.env.ExecuteWorkflow(AccessRequest, aliceRequest())
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "no dre.yaml policy") {
		t.Fatalf("workflow error = %v; want the missing policy named", err)
	}
	if len(h.audited) != 0 {
		t.Errorf("audited %v; want nothing done", h.actions())
	}
}
