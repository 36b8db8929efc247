package gateway

import (
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/workflows"
)

// The decisions of the review, deprecation and PII buttons leave the
// gateway signed by the relay key for the clicker, over what each
// workflow checks, and verify only for that clicker.
func TestDecisionButtonsAreSignedByTheRelay(t *testing.T) {
	pemKey, dir := relayKey(t)
	relay, err := NewSlackRelay("gateway", pemKey, dir)
	if err != nil {
		t.Fatal(err)
	}
	who := clicker{user: "UOWNER", team: "T0ACME"}
	for _, c := range []struct {
		button, id, arg, target string
		proof                   func(any) (string, workflows.Proof)
	}{
		{activities.ReviewButtonRevoke, "access-review/2026Q4", "customers/bob", "customers/bob=revoke",
			func(a any) (string, workflows.Proof) { d := a.(workflows.ReviewDecision); return d.By, d.Proof }},
		{activities.DeprecateButtonAck, "deprecate/legacy_sessions", "", "legacy_sessions",
			func(a any) (string, workflows.Proof) { d := a.(workflows.DeprecateAction); return d.By, d.Proof }},
		{activities.PIIButtonTag, "pii-scan/signups", "signups/contact", "signups/contact",
			func(a any) (string, workflows.Proof) { d := a.(workflows.PIITagRequest); return d.Approver, d.Proof }},
	} {
		kind := buttonKinds[c.button]
		arg, err := kind.arg(slackDecider{who: who, workflowID: c.id, update: kind.update, relay: relay}, c.arg)
		if err != nil {
			t.Fatalf("%s: %v", c.button, err)
		}
		by, p := c.proof(arg)
		signed := decision.Decision{WorkflowID: c.id, Action: kind.update, Target: c.target, Decider: "gateway",
			OnBehalfOf: workflows.SlackOnBehalfOf("T0ACME", "UOWNER"), At: p.At, Nonce: p.Nonce}
		if _, err := decision.Verify(signed, p.Signature, dir, time.Now(), decision.DefaultMaxAge); err != nil || by != "gateway" || p.SlackUser != "UOWNER" || p.Via != workflows.ViaSlack {
			t.Errorf("%s: by %q, proof %+v, verify %v; want the relay's signature for UOWNER of T0ACME", c.button, by, p, err)
		}
		signed.OnBehalfOf = workflows.SlackOnBehalfOf("T0ACME", "UMALLORY")
		if _, err := decision.Verify(signed, p.Signature, dir, time.Now(), decision.DefaultMaxAge); err == nil {
			t.Errorf("%s: the relay's signature also verifies for another Slack user", c.button)
		}
	}
}
