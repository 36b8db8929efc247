package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// reviewGrants are three SELECT grants on customers: bob's, carol's and
// ualice's, who is herself an approver.
func reviewGrants(_ context.Context, in activities.ListPIIGrantsInput) ([]activities.PIIGrant, error) {
	var out []activities.PIIGrant
	for _, p := range []string{"bob", "carol", "ualice"} {
		g := warehouse.Grant{Table: warehouse.TableRef{Schema: "public", Table: "customers"}, Principal: p, Privilege: "SELECT"}
		out = append(out, activities.PIIGrant{Dataset: in.Tables[0].Dataset, AccessGrant: activities.AccessGrant{Warehouse: "local", Grant: g}})
	}
	return out, nil
}

func reviewInput(ds catalog.Dataset) AccessReviewInput {
	return AccessReviewInput{Period: "2026Q4", Datasets: []catalog.Dataset{ds}, Deadline: 7 * 24 * time.Hour,
		RemindEvery: 2 * 24 * time.Hour, ComplianceChannel: "#compliance"}
}

func (h *accessHarness) runReview(in AccessReviewInput) AccessReviewResult {
	h.t.Helper()
	var a *activities.Access
	h.env.OnActivity(a.ListPIIGrants, mock.Anything, mock.Anything).Return(reviewGrants)
	h.env.ExecuteWorkflow(AccessReview, in)
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("AccessReview failed: %v", err)
	}
	var res AccessReviewResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatal(err)
	}
	return res
}

func TestAccessReviewRevokesKeepsAndDefaultsAtTheDeadline(t *testing.T) {
	h := newAccessHarness(t)
	h.update(time.Hour, AccessReviewDecideUpdate, ReviewDecision{By: "UALICE", Grant: "customers/ualice", Decision: ReviewKeep})
	h.update(2*time.Hour, AccessReviewDecideUpdate, ReviewDecision{By: "UOWNER", Grant: "customers/bob", Decision: ReviewRevoke, Note: "left the team"})
	h.update(3*time.Hour, AccessReviewDecideUpdate, ReviewDecision{By: "UALICE", Grant: "customers/carol", Decision: ReviewKeep})
	res := h.runReview(reviewInput(customersDataset()))

	if len(h.rejected) != 1 || !strings.Contains(h.rejected[0].Error(), "separation of duties") {
		t.Fatalf("rejections = %v; want ualice's decision on her own access refused", h.rejected)
	}
	got := map[string]string{}
	for _, it := range res.Items {
		got[it.ID] = it.Decision + " by " + it.DecidedBy
	}
	want := map[string]string{"customers/bob": "revoke by UOWNER", "customers/carol": "keep by UALICE", "customers/ualice": "revoke by default"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q; want %q", id, got[id], w)
		}
	}
	if revoked := revokedPrincipals(h); strings.Join(revoked, ",") != "bob,ualice" {
		t.Errorf("revoked %v; want bob (decided) and ualice (default)", revoked)
	}
	if !strings.Contains(res.Markdown, "| customers/bob | customers | bob | (table) | revoke | UOWNER | true | left the team |") ||
		!strings.Contains(res.CSV, "customers/carol,customers,local,public.customers,carol,,keep,UALICE,false,") {
		t.Errorf("report lacks the decisions:\n%s\n%s", res.Markdown, res.CSV)
	}
	reminders := 0
	for _, p := range h.posts {
		if strings.HasPrefix(p.Text, "Reminder: ") {
			reminders++
		}
	}
	if reminders == 0 || h.posts[len(h.posts)-1].Channel != "#compliance" {
		t.Errorf("posts %d with %d reminders, last to %q; want reminders and the report in #compliance", len(h.posts), reminders, h.posts[len(h.posts)-1].Channel)
	}
}

func TestAccessReviewDefaultKeepIsHonoured(t *testing.T) {
	h := newAccessHarness(t)
	ds := customersDataset()
	ds.PII.ReviewDefault = ReviewKeep
	res := h.runReview(reviewInput(ds))
	if len(h.revoked) != 0 || len(res.Items) != 3 || res.Items[0].DecidedBy != "default" || res.Items[0].Decision != ReviewKeep {
		t.Fatalf("items %+v, revoked %v; want every grant kept by the dataset's default", res.Items, h.revoked)
	}
}

// A review whose first grant cannot be revoked, refused for good or
// failing on every bounded attempt, still revokes the others, finishes,
// and reports the first as could not revoke with the warehouse's reason
// in the report, the Slack message and the audit log.
func TestAccessReviewRevocationThatFailsDoesNotStopTheOthers(t *testing.T) {
	for name, refusal := range map[string]error{
		"refused for good":         temporal.NewNonRetryableApplicationError("role bob does not exist", "Refused", nil),
		"failing on every attempt": errors.New("connecting to the warehouse: connection refused"),
	} {
		t.Run(name, func(t *testing.T) {
			h := newAccessHarness(t)
			attempts := 0
			h.refuse = func(action string, g activities.AccessGrant) error {
				if action == "revoke" && g.Grant.Principal == "bob" {
					attempts++
					return refusal
				}
				return nil
			}
			res := h.runReview(reviewInput(customersDataset()))
			if revoked := revokedPrincipals(h); strings.Join(revoked, ",") != "carol,ualice" {
				t.Errorf("revoked %v; want carol and ualice revoked (by default) past bob's failure", revoked)
			}
			if attempts > reviewRevokeAttempts {
				t.Errorf("bob's revocation was attempted %d times; want at most %d", attempts, reviewRevokeAttempts)
			}
			reason := refusal.Error()
			var app *temporal.ApplicationError
			if errors.As(refusal, &app) {
				reason = app.Message()
			}
			if res.Items[0].ID != "customers/bob" || res.Items[0].Revoked || !strings.Contains(res.Items[0].NotRevoked, reason) {
				t.Fatalf("first item %+v; want bob not revoked, with the reason", res.Items[0])
			}
			report := h.posts[len(h.posts)-1].Text
			if !strings.Contains(report, "Could not revoke") || !strings.Contains(report, "customers/bob") || !strings.Contains(report, reason) {
				t.Errorf("report posted:\n%s\nwant bob listed as could not revoke, with the reason", report)
			}
			audited := false
			for _, e := range h.audited {
				if e.Target == "customers/bob" && e.Action == AuditReviewRevoke {
					t.Errorf("audit %+v records bob's access as revoked; it was not", e)
				}
				audited = audited || (e.Target == "customers/bob" && e.Action == AuditReviewNotRevoked && strings.Contains(e.Reason, reason))
			}
			if !audited {
				t.Errorf("audit %v; want bob's failed revocation recorded with the reason", h.actions())
			}
		})
	}
}

// revokedPrincipals are the principals whose grants were revoked, sorted:
// revocations run side by side.
func revokedPrincipals(h *accessHarness) []string {
	var out []string
	for _, g := range h.revoked {
		out = append(out, g.Grant.Principal)
	}
	slices.Sort(out)
	return out
}
