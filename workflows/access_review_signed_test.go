package workflows

import (
	"testing"
	"time"
)

// signedReview is by's decision on a grant of the harness's review,
// signed with signer's key at the time at.
func (tp *testPeople) signedReview(t *testing.T, signer, by string, d ReviewDecision, at time.Time, nonce string) ReviewDecision {
	t.Helper()
	d.By = by
	d.Proof = tp.signed(t, signer, by, testRequestID, AccessReviewDecideUpdate, ReviewDecisionTarget(d), at, nonce)
	return d
}

// With signatures required, a review decision counts only when signed,
// fresh, once, by an approver of the grant who does not hold it; the
// refused ones change nothing, and every decision is audited with its key.
func TestAccessReviewSignedDecisions(t *testing.T) {
	h := newAccessHarness(t)
	h.policy.AllowUnsigned = false
	tp := h.people
	revokeBob := ReviewDecision{Grant: "customers/bob", Decision: ReviewRevoke}
	h.update(time.Hour, AccessReviewDecideUpdate, ReviewDecision{By: "owner", Grant: "customers/bob", Decision: ReviewRevoke})
	h.update(time.Hour+time.Minute, AccessReviewDecideUpdate, tp.signedReview(t, "mallory", "owner", revokeBob, at(time.Hour+time.Minute), "nonce-mallory-as-own"))
	h.update(time.Hour+2*time.Minute, AccessReviewDecideUpdate, tp.signedReview(t, "owner", "owner", revokeBob, at(time.Hour-9*time.Minute), "nonce-owner-stale01"))
	h.update(time.Hour+3*time.Minute, AccessReviewDecideUpdate, tp.signedReview(t, "mallory", "mallory", revokeBob, at(time.Hour+3*time.Minute), "nonce-mallory-revok"))
	h.update(time.Hour+4*time.Minute, AccessReviewDecideUpdate,
		tp.signedReview(t, "alice", "alice", ReviewDecision{Grant: "customers/ualice", Decision: ReviewKeep}, at(time.Hour+4*time.Minute), "nonce-alice-keepown"))
	// Signed to keep bob's grant, sent as a revocation of carol's.
	flipped := tp.signedReview(t, "owner", "owner", ReviewDecision{Grant: "customers/bob", Decision: ReviewKeep}, at(time.Hour+5*time.Minute), "nonce-owner-flipped")
	flipped.Grant = "customers/carol"
	h.update(time.Hour+5*time.Minute, AccessReviewDecideUpdate, flipped)
	h.update(2*time.Hour, AccessReviewDecideUpdate, tp.signedReview(t, "owner", "owner", revokeBob, at(2*time.Hour), "nonce-owner-revoke1"))
	h.update(2*time.Hour+time.Minute, AccessReviewDecideUpdate,
		tp.signedReview(t, "owner", "owner", ReviewDecision{Grant: "customers/carol", Decision: ReviewKeep}, at(2*time.Hour+time.Minute), "nonce-owner-revoke1"))
	h.update(2*time.Hour+2*time.Minute, AccessReviewDecideUpdate,
		tp.signedReview(t, "owner", "owner", ReviewDecision{Grant: ReviewAll, Decision: ReviewKeep}, at(2*time.Hour+2*time.Minute), "nonce-owner-keepall"))
	res := h.runReview(reviewInput(customersDataset()))

	wantRefusals(t, h.rejected, "decisions.allow_unsigned is off", "belongs to someone else", "too old",
		"may not decide in an access review", "separation of duties", "does not match", "already used")
	got := map[string]string{}
	for _, it := range res.Items {
		got[it.ID] = it.Decision + " by " + it.DecidedBy + " " + it.DecisionKey
	}
	key := tp.fingerprint("owner")
	want := map[string]string{"customers/bob": "revoke by owner " + key, "customers/carol": "keep by owner " + key, "customers/ualice": "keep by owner " + key}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q; want %q", id, got[id], w)
		}
	}
	if keys := h.auditedKeys(AuditReviewRevoke); len(keys) != 1 || keys[0] != "owner "+key {
		t.Errorf("audited revocations %q; want bob's, by owner with the key", keys)
	}
	if keys := h.auditedKeys(AuditReviewKeep); len(keys) != 2 {
		t.Errorf("audited keeps %q; want carol's and ualice's", keys)
	}
}

// auditedKeys lists "actor verified_key" of the records of action.
func (h *accessHarness) auditedKeys(action string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.audited {
		if e.Action == action {
			out = append(out, e.Actor+" "+e.Details["verified_key"])
		}
	}
	return out
}
