package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Cancelling a granted request revokes the grant, reads the ACL back, and
// ends the run cancelled with a state that says so.
func TestAccessRequestCancelAfterTheGrantRevokes(t *testing.T) {
	h := newAccessHarness(t)
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, time.Hour)
	h.env.ExecuteWorkflow(AccessRequest, aliceRequest())

	err := h.env.GetWorkflowError()
	var cancelled *temporal.CanceledError
	if !errors.As(err, &cancelled) {
		t.Fatalf("workflow error = %v; want the run cancelled", err)
	}
	var st AccessRequestState
	if err := cancelled.Details(&st); err != nil {
		t.Fatal(err)
	}
	if st.Status != AccessRevoked || st.Ending != "revoked on cancel" || len(h.revoked) != 1 || len(h.acl) != 0 {
		t.Fatalf("state %+v, revoked %v, acl %v; want the grant revoked on cancel and gone", st, h.revoked, h.acl)
	}
	if got := h.actions(); got[len(got)-1] != "access.revoked:cancel" {
		t.Errorf("audit = %v; want the revocation on cancel last", got)
	}
}

// A privilege the principal held before the request is neither granted
// nor revoked by it; the expiry takes away only what the request added.
func TestAccessRequestExpiryKeepsStandingGrants(t *testing.T) {
	h := newAccessHarness(t)
	ref := warehouse.TableRef{Schema: "public", Table: "customers"}
	standing := warehouse.Grant{Table: ref, Principal: "alice", Privilege: "SELECT", Column: "email"}
	h.acl = []warehouse.Grant{standing}
	in := aliceRequest()
	in.Columns = []string{"email", "name"}
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	st := h.runRequest(in)

	if len(h.granted) != 1 || h.granted[0].Grant.Column != "name" || len(h.revoked) != 1 || h.revoked[0].Grant.Column != "name" {
		t.Fatalf("granted %v, revoked %v; want only the name column granted and revoked", h.granted, h.revoked)
	}
	if len(h.acl) != 1 || h.acl[0] != standing || st.Status != AccessExpired || strings.Join(st.Standing, ",") != "public.customers.email" {
		t.Fatalf("acl %v, state %+v; want alice's standing email grant left and named", h.acl, st)
	}
}

// A revocation the warehouse reports done but the ACL still shows (a
// grant another role also gave) ends the request as revoke-failed, naming
// what remains, in the state, the audit log and Slack.
func TestAccessRequestRevocationTheACLContradictsIsReported(t *testing.T) {
	h := newAccessHarness(t)
	ref := warehouse.TableRef{Schema: "public", Table: "customers"}
	h.sticky = []warehouse.Grant{{Table: ref, Principal: "alice", Privilege: "SELECT", Column: "email"}}
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	h.env.ExecuteWorkflow(AccessRequest, aliceRequest())

	err := h.env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "alice still holds SELECT on public.customers.email") {
		t.Fatalf("workflow error = %v; want the remaining grant named", err)
	}
	got := h.actions()
	if got[len(got)-1] != "access.not-revoked:expiry" {
		t.Errorf("audit = %v; want the failed revocation audited", got)
	}
	if last := h.posts[len(h.posts)-1].Text; !strings.Contains(last, "could not revoke on expiry") {
		t.Errorf("last Slack post %q; want it to say the revocation failed", last)
	}
}

// A table-wide request by a principal with a standing column grant: the
// expiry's REVOKE on the table takes the column grant too, so the request
// gives it back.
func TestAccessRequestExpiryGivesBackAStandingColumnGrant(t *testing.T) {
	h := newAccessHarness(t)
	ref := warehouse.TableRef{Schema: "public", Table: "customers"}
	standing := warehouse.Grant{Table: ref, Principal: "alice", Privilege: "SELECT", Column: "email"}
	h.acl = []warehouse.Grant{standing}
	in := aliceRequest()
	in.Columns = nil
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	st := h.runRequest(in)
	if st.Status != AccessExpired || len(h.acl) != 1 || h.acl[0] != standing {
		t.Fatalf("state %+v, acl %v; want the table grant gone and alice's email grant back", st, h.acl)
	}
}
