package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
)

// signedAction is by's action on the harness's deprecation, signed with
// signer's key at the test clock's now minus age.
func (h *deprecateHarness) signedAction(signer, by, update string, a DeprecateAction, age time.Duration, nonce string) DeprecateAction {
	a.By = by
	a.Proof = h.people.signed(h.t, signer, by, DeprecateWorkflowID("legacy_sessions"), update,
		DeprecateTarget("legacy_sessions", a), h.env.Now().Add(-age), nonce)
	return a
}

// With signatures required, a deprecation's updates count only when
// signed, fresh, once, and by someone the authz: rule allows (continue:
// the lifecycle approvers of the worker's catalog, not the input's); each
// refusal changes nothing, and accepted ones are audited with the key.
func TestDeprecateSignedDecisions(t *testing.T) {
	h := newDeprecateHarness(t)
	h.policy.AllowUnsigned = false
	worker := deprecateDataset()
	worker.Lifecycle.Approvers = []string{"owner"}
	h.policy.Catalog = catalog.New([]catalog.Dataset{worker})
	veto := DeprecateAction{Reason: "the finance dashboard reads it"}
	h.at(3*oneDay, func() {
		h.update("veto", DeprecateVetoUpdate, h.signedAction("mallory", "mallory", DeprecateVetoUpdate, veto, 0, "nonce-veto-mallory1"))
	})
	h.at(4*oneDay, func() { h.update("unsigned", DeprecateContinueUpdate, DeprecateAction{By: "owner"}) })
	h.at(4*oneDay+time.Minute, func() {
		h.update("another's key", DeprecateContinueUpdate, h.signedAction("mallory", "owner", DeprecateContinueUpdate, DeprecateAction{}, 0, "nonce-mallory-as-own"))
	})
	h.at(4*oneDay+2*time.Minute, func() {
		h.update("stale", DeprecateContinueUpdate, h.signedAction("owner", "owner", DeprecateContinueUpdate, DeprecateAction{}, 11*time.Minute, "nonce-owner-stale01"))
	})
	h.at(4*oneDay+3*time.Minute, func() {
		h.update("no approver", DeprecateContinueUpdate, h.signedAction("mallory", "mallory", DeprecateContinueUpdate, DeprecateAction{}, 0, "nonce-mallory-cont1"))
	})
	h.at(4*oneDay+4*time.Minute, func() {
		h.update("input's approver", DeprecateContinueUpdate, DeprecateAction{By: "U0OWNER"})
	})
	var paused DeprecateStatus
	h.at(4*oneDay+5*time.Minute, func() { paused = h.status() })
	h.at(5*oneDay, func() {
		h.update("continue", DeprecateContinueUpdate, h.signedAction("owner", "owner", DeprecateContinueUpdate, DeprecateAction{}, 0, "nonce-owner-contin1"))
	})
	h.at(6*oneDay, func() {
		h.update("replayed", DeprecateCancelUpdate, h.signedAction("owner", "owner", DeprecateCancelUpdate, DeprecateAction{}, 0, "nonce-owner-contin1"))
	})
	s := h.run(deprecateDataset())

	want := map[string]string{"unsigned": "decisions.allow_unsigned is off", "another's key": "belongs to someone else", "stale": "too old",
		"no approver": "may not continue a paused deprecation", "input's approver": "allow_unsigned is off", "replayed": "already used"}
	for label, why := range want {
		if err := h.rejected[label]; err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: refusal %v; want one saying %q", label, err, why)
		}
	}
	if h.rejected["veto"] != nil || h.rejected["continue"] != nil {
		t.Fatalf("refused %v; want mallory's signed veto and owner's signed continue accepted", h.rejected)
	}
	if paused.Pause == nil || paused.Status != DeprecateAwaitingOwner || paused.Pause.By != "mallory" {
		t.Errorf("after the refusals: status %s, pause %+v; want still paused by mallory's veto", paused.Status, paused.Pause)
	}
	if s.Status != DeprecateDropped {
		t.Errorf("status %s; want the deprecation to go on to the drop after the continue", s.Status)
	}
	wantAudit := map[string]string{authz.DeprecateVeto: "mallory " + h.people.fingerprint("mallory"), authz.DeprecateContinue: "owner " + h.people.fingerprint("owner")}
	for action, w := range wantAudit {
		if got := h.audit.keyOf(action); len(got) != 1 || got[0] != w {
			t.Errorf("audit of %s: %q; want one record %q", action, got, w)
		}
	}
	if got := h.audit.keyOf(authz.DeprecateCancel); len(got) != 0 {
		t.Errorf("audited a cancel %q; the replayed one was refused", got)
	}
	if !hasEvidence(s, "vetoed: the finance dashboard reads it", h.people.fingerprint("mallory")) {
		t.Errorf("timeline lacks the veto with mallory's key:\n%+v", s.Timeline)
	}
}

// hasEvidence reports whether the timeline has the event what, proven by
// evidence.
func hasEvidence(s DeprecateStatus, what, evidence string) bool {
	for _, e := range s.Timeline {
		if e.What == what && e.Evidence == evidence {
			return true
		}
	}
	return false
}

// Under decisions.allow_unsigned an action by name counts, marked
// unverified in the timeline and the audit log.
func TestDeprecateUnsignedActionIsMarkedUnverified(t *testing.T) {
	h := newDeprecateHarness(t)
	h.at(oneDay, func() { h.update("ack", DeprecateAckUpdate, DeprecateAction{By: "U0READER1"}) })
	h.at(2*oneDay, func() {
		h.update("cancel", DeprecateCancelUpdate, DeprecateAction{By: "cli:alice", Reason: "still needed"})
	})
	s := h.run(deprecateDataset())
	if len(h.rejected) != 0 || s.Status != DeprecateRestored {
		t.Fatalf("refused %v, status %s; want the ack and the cancel accepted, the table restored", h.rejected, s.Status)
	}
	if got := h.audit.keyOf(authz.DeprecateAck); len(got) != 1 || got[0] != "U0READER1 "+Unverified {
		t.Errorf("audit of the ack %q; want U0READER1, unverified", got)
	}
	if !hasEvidence(s, "cancelled: still needed", Unverified) {
		t.Errorf("timeline lacks the unverified cancel:\n%+v", s.Timeline)
	}
}

// A run recorded before the decision guard keeps its old checks, names
// the Slack user a relayed decision is for (not the relay), and writes no
// audit records, as it did when it started.
func TestDeprecateRunBeforeTheGuardKeepsItsChecks(t *testing.T) {
	h := newDeprecateHarness(t)
	h.env.OnGetVersion(decisionPolicyVersion, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	relayed := DeprecateAction{By: "gateway", Proof: Proof{Via: ViaSlack, SlackUser: "U0READER1", SlackTeam: "T1"}}
	h.at(oneDay, func() { h.update("ack", DeprecateAckUpdate, relayed) })
	h.at(2*oneDay, func() { h.update("again", DeprecateAckUpdate, DeprecateAction{By: "U0READER1"}) })
	h.at(3*oneDay, func() { h.update("cancel", DeprecateCancelUpdate, DeprecateAction{By: "cli:alice"}) })
	s := h.run(deprecateDataset())
	if h.rejected["ack"] != nil || h.rejected["again"] == nil || len(s.Acked) != 1 || s.Acked[0] != "U0READER1" {
		t.Fatalf("acked %v, refused %v; want U0READER1's relayed ack, then their second refused", s.Acked, h.rejected)
	}
	if n := len(h.audit.entries); n != 0 || !hasEvidence(s, "acknowledged", "") {
		t.Errorf("%d audit records, timeline %+v; want none and no evidence, as before the guard", n, s.Timeline)
	}
}
