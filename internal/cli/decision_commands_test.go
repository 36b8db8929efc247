package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/workflows"
)

// Each decision command signs what the workflow's validator checks: its
// workflow ID, the update's name and the target the workflow derives from
// the decision, as the key's owner.
func TestDecisionCommandsSignWhatTheWorkflowsCheck(t *testing.T) {
	path, cfg := signingSetup(t)
	g := envOf(map[string]string{"DRE_SIGNING_KEY": path})
	var stderr bytes.Buffer
	extend := workflows.DeprecateAction{Until: time.Date(2027, 4, 30, 0, 0, 0, 0, time.UTC)}
	dep, err := g.signDeprecateAction(cfg, &stderr, "legacy_sessions", workflows.DeprecateExtendUpdate, extend, decider{})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := g.runbookApproval(cfg, &stderr, "runbook/fix/orders/1", runbookApproveFlags{step: "slo-freeze", reject: true})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := g.reviewDecision(cfg, &stderr, "access-review/2026Q4", workflows.ReviewDecision{Grant: "customers/carol", Decision: workflows.ReviewRevoke}, decider{})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := g.piiTagRequest(cfg, &stderr, "pii-scan/signups", workflows.PIITagRequest{Dataset: "signups", Column: "contact"}, decider{as: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, by, id, action, target string
		proof                        workflows.Proof
	}{
		{"deprecate extend", dep.By, "deprecate/legacy_sessions", "extend", "legacy_sessions@2027-04-30", dep.Proof},
		{"runbook reject", rb.By, "runbook/fix/orders/1", "approve", "slo-freeze=reject", rb.Proof},
		{"review revoke", rev.By, "access-review/2026Q4", "decide", "customers/carol=revoke", rev.Proof},
		{"pii tag", tag.Approver, "pii-scan/signups", "tag", "signups/contact", tag.Proof},
	} {
		signed := decision.Decision{WorkflowID: c.id, Action: c.action, Target: c.target, Decider: "bob", At: c.proof.At, Nonce: c.proof.Nonce}
		if _, err := decision.Verify(signed, c.proof.Signature, cfg.People, time.Now(), decision.DefaultMaxAge); err != nil || c.by != "bob" {
			t.Errorf("%s: by %q, verify %v; want bob's signature over %+v", c.name, c.by, err, signed)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr %q; want nothing said about signed decisions", stderr.String())
	}
}

// Without a key a decision goes unsigned as --as, and the CLI says what
// that needs.
func TestDecisionCommandsWithoutAKeyAreUnsigned(t *testing.T) {
	_, cfg := signingSetup(t)
	var stderr bytes.Buffer
	rb, err := envOf(map[string]string{"USER": "carol"}).runbookApproval(cfg, &stderr, "runbook/fix/orders/1", runbookApproveFlags{step: "go"})
	if err != nil || rb.By != "cli:carol" || rb.Signature != "" || !rb.Approve || !bytes.Contains(stderr.Bytes(), []byte("decisions.allow_unsigned")) {
		t.Fatalf("approval %+v, %v, stderr %q; want an unsigned approval by cli:carol and a warning", rb, err, stderr.String())
	}
}
