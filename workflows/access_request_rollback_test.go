package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/activities"
)

// A grant that fails is rolled back; a revocation refused during that
// rollback must neither stop the other revocations nor go unreported.
func TestAccessRequestRollbackRevokesEveryGrantAndReportsFailures(t *testing.T) {
	h := newAccessHarness(t)
	h.refuse = func(action string, g activities.AccessGrant) error {
		switch {
		case action == "grant" && g.Grant.Column == "phone":
			return temporal.NewNonRetryableApplicationError("permission denied on column phone", "Refused", nil)
		case action == "revoke" && g.Grant.Column == "email":
			return temporal.NewNonRetryableApplicationError("role alice does not exist", "Refused", nil)
		}
		return nil
	}
	in := aliceRequest()
	in.Columns = []string{"email", "name", "phone"}
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	h.env.ExecuteWorkflow(AccessRequest, in)

	err := h.env.GetWorkflowError()
	if err == nil {
		t.Fatal("AccessRequest succeeded; want the failed grant and the failed rollback reported")
	}
	for _, want := range []string{"permission denied on column phone", "role alice does not exist", "revoke public.customers.email from alice"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("workflow error %q does not say %q", err, want)
		}
	}
	var revoked []string
	for _, g := range h.revoked {
		revoked = append(revoked, g.Grant.Column)
	}
	// email's revocation failed; name's and phone's must still have run.
	if strings.Join(revoked, ",") != "name,phone" {
		t.Errorf("revoked columns %v; want name and phone revoked past email's failure", revoked)
	}
}

// When the rollback succeeds, the grant's own error is the workflow's, and
// the request ends denied.
func TestAccessRequestRollbackThatSucceedsReportsTheGrantFailure(t *testing.T) {
	h := newAccessHarness(t)
	h.refuse = func(action string, g activities.AccessGrant) error {
		if action == "grant" && g.Grant.Column == "name" {
			return temporal.NewNonRetryableApplicationError("permission denied on column name", "Refused", nil)
		}
		return nil
	}
	in := aliceRequest()
	in.Columns = []string{"email", "name"}
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	h.env.ExecuteWorkflow(AccessRequest, in)

	err := h.env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "permission denied on column name") || strings.Contains(err.Error(), "taking back") {
		t.Fatalf("workflow error = %v; want the grant's refusal alone", err)
	}
	if len(h.revoked) != 2 {
		t.Errorf("revoked %d grants; want both rolled back", len(h.revoked))
	}
}
