package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// signedPeople is a directory where demo-owner (the customers approver,
// as U0DEMOOWNER), erin (the requester) and mallory each have a key;
// demo-owner's private key is also written to keyFile, for the CLI.
func signedPeople(t *testing.T, keyFile string) (*people.Directory, map[string]ssh.Signer) {
	t.Helper()
	signers := map[string]ssh.Signer{}
	persons := map[string]people.Person{}
	for id, p := range map[string]people.Person{
		"demo-owner": {SlackUser: "U0DEMOOWNER", Principals: map[string]string{"local": "dre_demo_owner"}},
		"erin":       {Principals: map[string]string{"local": "e2e_signed_erin"}},
		"mallory":    {},
	} {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		s, err := ssh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		key, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
		if err != nil {
			t.Fatal(err)
		}
		p.Keys = []people.PublicKey{key}
		if id == "demo-owner" {
			writePrivateKey(t, keyFile, priv)
		}
		signers[id], persons[id] = s, p
	}
	return people.NewDirectory(persons, nil), signers
}

// writePrivateKey writes priv as an unencrypted OpenSSH key file.
func writePrivateKey(t *testing.T, path string, priv ed25519.PrivateKey) {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}

// signedDecision is by's action on id, signed by signer's key at at.
func signedDecision(t *testing.T, signer ssh.Signer, id, action, by string, at time.Time) workflows.AccessDecision {
	t.Helper()
	nonce, err := decision.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	d := decision.Decision{WorkflowID: id, Action: action, Target: "customers", Decider: by, At: at, Nonce: nonce}
	sig, err := decision.Sign(d, signer)
	if err != nil {
		t.Fatal(err)
	}
	return workflows.AccessDecision{By: by, Proof: workflows.Proof{Signature: sig, At: at, Nonce: nonce}}
}

// decide sends an access decision as any Temporal client can (the
// gateway's client only adds a retry while the request loads its policy).
func decide(t *testing.T, id, update string, d workflows.AccessDecision) (string, error) {
	t.Helper()
	return gateway.TemporalAccess{Client: env.Client}.DecideAccess(t.Context(), id, update, d)
}

// With a worker whose dre.yaml requires signatures, a plain Temporal
// client cannot approve without the approver's key: unsigned, someone
// else's key, stale, replayed and self-approvals are refused and grant
// nothing; the approver's signed approval grants, and the audit log names
// the key.
func TestAccessSignedApprovalThroughAPlainClient(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, false, "e2e_signed_erin")
	keyFile := filepath.Join(t.TempDir(), "demo-owner")
	dir, keys := signedPeople(t, keyFile)
	queue := f.queue + "-signed"
	w := sdkworker.New(env.Client, queue, sdkworker.Options{})
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
	ds.PII.Approvers = []string{"erin"} // what the starter claims; the worker's catalog wins
	id := workflows.AccessRequestWorkflowID("customers", "erin", "signed1")
	in := workflows.AccessRequestInput{Dataset: ds, Requester: "erin", Principal: "e2e_signed_erin", Duration: time.Hour, Reason: "ticket 4712"}
	if _, err := workflows.StartAccessRequest(t.Context(), env.Client, queue, id, in); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	refused := []struct {
		name, says string
		d          workflows.AccessDecision
	}{
		{"unsigned", "allow_unsigned is off", workflows.AccessDecision{By: "U0DEMOOWNER"}},
		{"another person's key", "belongs to someone else", signedDecision(t, keys["mallory"], id, workflows.AccessApproveUpdate, "demo-owner", now)},
		{"stale", "too old", signedDecision(t, keys["demo-owner"], id, workflows.AccessApproveUpdate, "demo-owner", now.Add(-time.Hour))},
		{"the requester's own", "separation of duties", signedDecision(t, keys["erin"], id, workflows.AccessApproveUpdate, "erin", now)},
	}
	for _, r := range refused {
		if _, err := decide(t, id, workflows.AccessApproveUpdate, r.d); err == nil || !strings.Contains(err.Error(), r.says) {
			t.Errorf("%s approval: %v; want it refused saying %q", r.name, err, r.says)
		}
	}
	if f.canSelect(t, "e2e_signed_erin") {
		t.Fatal("a refused approval granted access")
	}

	approval := signedDecision(t, keys["demo-owner"], id, workflows.AccessApproveUpdate, "demo-owner", time.Now().UTC())
	if _, err := decide(t, id, workflows.AccessApproveUpdate, approval); err != nil {
		t.Fatalf("the approver's signed approval: %v", err)
	}
	var st workflows.AccessRequestState
	waitStatus(t, id, workflows.AccessGranted, &st, func() string { return st.Status })
	if !f.canSelect(t, "e2e_signed_erin") {
		t.Fatal("granted, but e2e_signed_erin cannot SELECT customers")
	}
	// The approval's nonce again, on a freshly signed revocation, is a replay.
	replay := resign(t, keys["demo-owner"], id, workflows.AccessRevokeUpdate, approval)
	if _, err := decide(t, id, workflows.AccessRevokeUpdate, replay); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("revoke reusing the approval's nonce: %v; want it refused as a replay", err)
	}
	if got := auditedKey(t, f, id, workflows.AuditAccessApproved); got != ssh.FingerprintSHA256(keys["demo-owner"].PublicKey()) {
		t.Errorf("the approval's audit record has verified_key %q; want demo-owner's key", got)
	}
	if _, err := decide(t, id, workflows.AccessRevokeUpdate, signedDecision(t, keys["erin"], id, workflows.AccessRevokeUpdate, "erin", time.Now().UTC())); err != nil {
		t.Fatalf("the requester's signed revocation: %v", err)
	}
	waitStatus(t, id, workflows.AccessRevoked, &st, func() string { return st.Status })
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &st); err != nil {
		t.Fatal(err)
	}
	recordHistory(t, id, "access-request-signed-revoked.json")

	// The CLI signs with a key file; the worker checks it the same way.
	id = workflows.AccessRequestWorkflowID("customers", "erin", "signed2")
	if _, err := workflows.StartAccessRequest(t.Context(), env.Client, queue, id, in); err != nil {
		t.Fatal(err)
	}
	if res := clitest.Run(t, f.cliEnv, "access", "deny", id, "--as", "U0DEMOOWNER"); res.Code == 0 || !strings.Contains(res.Stderr, "allow_unsigned is off") {
		t.Fatalf("unsigned CLI deny: exit %d, stderr %q; want it refused", res.Code, res.Stderr)
	}
	if res := clitest.Run(t, f.cliEnv, "access", "deny", id, "--sign", keyFile, "--as", "demo-owner", "--note", "not needed"); res.Code != 0 {
		t.Fatalf("signed CLI deny: exit %d, stderr %q", res.Code, res.Stderr)
	}
	waitStatus(t, id, workflows.AccessDenied, &st, func() string { return st.Status })
	eventually(t, "the denial's audit record", func() bool { return auditedKeyOrEmpty(t, f, id, workflows.AuditAccessDenied) != "" })
	if got := auditedKey(t, f, id, workflows.AuditAccessDenied); got != ssh.FingerprintSHA256(keys["demo-owner"].PublicKey()) {
		t.Errorf("the CLI denial's audit record has verified_key %q; want demo-owner's key", got)
	}
}

// resign signs action with the nonce of an earlier decision, as someone
// replaying its proof would.
func resign(t *testing.T, signer ssh.Signer, id, action string, earlier workflows.AccessDecision) workflows.AccessDecision {
	t.Helper()
	at := time.Now().UTC()
	d := decision.Decision{WorkflowID: id, Action: action, Target: "customers", Decider: earlier.By, At: at, Nonce: earlier.Nonce}
	sig, err := decision.Sign(d, signer)
	if err != nil {
		t.Fatal(err)
	}
	return workflows.AccessDecision{By: earlier.By, Proof: workflows.Proof{Signature: sig, At: at, Nonce: earlier.Nonce}}
}

// auditedKey reads the verified_key of the workflow's audit record action.
func auditedKey(t *testing.T, f *accessFixture, id, action string) string {
	t.Helper()
	key := auditedKeyOrEmpty(t, f, id, action)
	if key == "" {
		t.Fatalf("no audit record %s of %s with a verified_key", action, id)
	}
	return key
}

// auditedKeyOrEmpty is auditedKey, "" while the record is not written.
func auditedKeyOrEmpty(t *testing.T, f *accessFixture, id, action string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.stateDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var key string
	err = conn.QueryRow(t.Context(), `SELECT coalesce(max(details->>'verified_key'), '') FROM dre_audit_log WHERE workflow_id = $1 AND action = $2`, id, action).Scan(&key)
	if err != nil {
		t.Fatalf("audit record %s of %s: %v", action, id, err)
	}
	return key
}
