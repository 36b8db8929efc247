package workflows

import (
	"strings"
	"testing"
	"time"
)

// slackDecision is a Slack user's decision as the gateway passes it on,
// signed with signer's key as by.
func (tp *testPeople) slackDecision(t *testing.T, signer, by, team, user, action string, after time.Duration, nonce string) AccessDecision {
	t.Helper()
	d := tp.signFor(t, signer, by, SlackOnBehalfOf(team, user), action, at(after), nonce)
	d.Via, d.SlackTeam, d.SlackUser = ViaSlack, team, user
	return d
}

// A Slack user's decision counts only when the gateway's relay key signed
// it for that user and workspace; any other claim of a Slack identity is
// refused.
func TestAccessRequestSlackDecisionsNeedTheRelaySignature(t *testing.T) {
	h := newAccessHarness(t)
	h.policy.AllowUnsigned, h.policy.SlackRelay, h.policy.SlackWorkspaces = false, "gateway", []string{"T0ACME"}
	tp := h.people
	tampered := tp.slackDecision(t, "gateway", "gateway", "T0ACME", "UMALLORY", AccessApproveUpdate, 5*time.Minute, "nonce-tampered-001")
	tampered.SlackUser = "UOWNER"
	for i, d := range []AccessDecision{
		{By: "UOWNER", Proof: Proof{Via: ViaSlack, SlackUser: "UOWNER", SlackTeam: "T0ACME"}},
		tp.slackDecision(t, "owner", "owner", "T0ACME", "UOWNER", AccessApproveUpdate, 2*time.Minute, "nonce-notrelay-001"),
		tp.slackDecision(t, "gateway", "gateway", "T0EVIL", "UOWNER", AccessApproveUpdate, 3*time.Minute, "nonce-evilteam-001"),
		tp.slackDecision(t, "gateway", "gateway", "T0ACME", "UALICE", AccessApproveUpdate, 4*time.Minute, "nonce-selfslack-01"),
		tampered,
		tp.slackDecision(t, "gateway", "gateway", "T0ACME", "UOWNER", AccessApproveUpdate, 6*time.Minute, "nonce-relayed-0001"),
	} {
		h.update(time.Duration(i+1)*time.Minute, AccessApproveUpdate, d)
	}
	st := h.runRequest(aliceRequest())
	wantRefusals(t, h.rejected, "not signed by the gateway", "only the gateway's relay", "workspace", "separation of duties", "does not match")
	wantKey := tp.fingerprint("gateway") + " (relay gateway for Slack slack:T0ACME/UOWNER)"
	if st.Status != AccessExpired || st.DecidedBy != "UOWNER" || st.DecisionKey != wantKey {
		t.Fatalf("state %+v; want the relayed approval of UOWNER with evidence %q", st, wantKey)
	}
	for _, e := range h.audited {
		if e.Action == AuditAccessApproved && !strings.Contains(e.Details["verified_key"], "slack:T0ACME/UOWNER") {
			t.Errorf("approval audited with verified_key %q; want the relay's key and the Slack user", e.Details["verified_key"])
		}
	}
}
