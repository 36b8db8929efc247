package workflows

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
)

// tagSigned sends r after delay, signed by signer as by when signer is
// set, made age before the clock's now; signedAs, when set, is the
// request the signature covers instead of r.
func (h *piiHarness) tagSigned(t *testing.T, delay time.Duration, r PIITagRequest, signer, by string, age time.Duration, nonce string, signedAs *PIITagRequest) *piiTagOutcome {
	out := &piiTagOutcome{}
	h.sent++
	id := fmt.Sprintf("tag-%d", h.sent)
	h.env.RegisterDelayedCallback(func() {
		r.Approver = by
		covered := r
		if signedAs != nil {
			covered = *signedAs
		}
		if signer != "" {
			r.Proof = h.people.signed(t, signer, by, PIIScanWorkflowID("signups"), PIIScanTagUpdate, PIITagTarget(covered), h.env.Now().Add(-age), nonce)
		}
		h.env.UpdateWorkflow(PIIScanTagUpdate, id, &testsuite.TestUpdateCallback{
			OnReject: func(err error) { out.rejected = err }, OnAccept: func() { out.accepted = true }, OnComplete: func(_ any, err error) { out.err = err },
		}, r)
	}, delay)
	return out
}

// With signatures required, a tag is approved only by a fresh signature,
// used once, of one of the dataset's PII approvers, covering the column
// and kind tagged; the refused ones tag nothing, the accepted one is
// audited with the key.
func TestPIIScanSignedTags(t *testing.T) {
	h := newPIIHarness(t)
	h.policy.AllowUnsigned = false
	h.extra = []activities.PIIColumn{{Column: "ip", Found: catalog.PIIIP, Ratio: 1, Sampled: 50}}
	ds := piiSignups
	ds.PII.Approvers = []string{"owner"}
	contact, ip := PIITagRequest{Dataset: "signups", Column: "contact"}, PIITagRequest{Dataset: "signups", Column: "ip"}
	refused := map[string]*piiTagOutcome{
		"decisions.allow_unsigned is off":       h.tagSigned(t, time.Hour, contact, "", "owner", 0, "", nil),
		"belongs to someone else":               h.tagSigned(t, time.Hour+time.Minute, contact, "mallory", "owner", 0, "nonce-mallory-as-own", nil),
		"too old":                               h.tagSigned(t, time.Hour+2*time.Minute, contact, "owner", "owner", 11*time.Minute, "nonce-owner-stale01", nil),
		"may not tag a PII column":              h.tagSigned(t, time.Hour+3*time.Minute, contact, "mallory", "mallory", 0, "nonce-mallory-tag01", nil),
		"already used":                          h.tagSigned(t, 2*time.Hour+time.Minute, ip, "owner", "owner", 0, "nonce-owner-contact", nil),
		"signature does not match the decision": h.tagSigned(t, 2*time.Hour+2*time.Minute, PIITagRequest{Dataset: "signups", Column: "ip", Kind: catalog.PIIEmail}, "owner", "owner", 0, "nonce-owner-ipkind1", &ip),
	}
	owner := h.tagSigned(t, 2*time.Hour, contact, "owner", "owner", 0, "nonce-owner-contact", nil)
	r := h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{ds}})

	for why, o := range refused {
		if o.accepted || o.rejected == nil || !strings.Contains(o.rejected.Error(), why) {
			t.Errorf("accepted %v, refusal %v; want one saying %q", o.accepted, o.rejected, why)
		}
	}
	if !owner.accepted || owner.err != nil || len(h.tags) != 1 || h.tags[0].Column != "contact" {
		t.Fatalf("owner's signed tag: accepted %v, error %v, tags %+v; want contact tagged, nothing else", owner.accepted, owner.err, h.tags)
	}
	key := h.people.fingerprint("owner")
	if len(r.Tagged) != 1 || r.Tagged[0].Approver != "owner" || r.Tagged[0].VerifiedKey != key {
		t.Errorf("tagged %+v; want contact approved by owner with the key", r.Tagged)
	}
	if got := h.audit.keyOf(authz.PIITag); len(got) != 1 || got[0] != "owner "+key {
		t.Errorf("audited tags %q; want one by owner with the key", got)
	}
}
