package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
)

// forgedApprovers is ds as a client that starts a run could send it: its
// pii.approvers name mallory instead of those of the worker's dre.yaml.
func forgedApprovers(ds catalog.Dataset) catalog.Dataset {
	ds.PII.Approvers = []string{"mallory"}
	return ds
}

// A review started with input naming mallory as the approver is decided
// by the worker's catalog, which names owner: mallory's signed keep is
// refused, owner's counts.
func TestAccessReviewTakesApproversFromTheWorkersCatalog(t *testing.T) {
	h := newAccessHarness(t)
	h.policy.AllowUnsigned = false
	tp := h.people
	keepBob := ReviewDecision{Grant: "customers/bob", Decision: ReviewKeep}
	h.update(time.Hour, AccessReviewDecideUpdate, tp.signedReview(t, "mallory", "mallory", keepBob, at(time.Hour), "nonce-mallory-keep1"))
	h.update(2*time.Hour, AccessReviewDecideUpdate, tp.signedReview(t, "owner", "owner", keepBob, at(2*time.Hour), "nonce-owner-keepbob"))
	res := h.runReview(reviewInput(forgedApprovers(customersDataset())))

	wantRefusals(t, h.rejected, "may not decide in an access review")
	for _, it := range res.Items {
		if it.ID == "customers/bob" && (it.Decision != ReviewKeep || it.DecidedBy != "owner") {
			t.Errorf("bob's grant: %s by %s; want keep by owner", it.Decision, it.DecidedBy)
		}
		if strings.Join(it.Approvers, ",") != "UOWNER,UALICE" {
			t.Errorf("%s lists approvers %v; want the worker's catalog's", it.ID, it.Approvers)
		}
	}
}

// A review of a dataset the worker's catalog lacks has nobody who may
// decide it, whatever approvers its input names.
func TestAccessReviewOfADatasetOutsideTheWorkersCatalogTakesNoDecision(t *testing.T) {
	h := newAccessHarness(t)
	h.policy.AllowUnsigned = false
	ds := forgedApprovers(customersDataset())
	ds.Name = "shadow"
	keep := ReviewDecision{Grant: "shadow/bob", Decision: ReviewKeep}
	h.update(time.Hour, AccessReviewDecideUpdate, h.people.signedReview(t, "mallory", "mallory", keep, at(time.Hour), "nonce-mallory-shad1"))
	res := h.runReview(reviewInput(ds))

	wantRefusals(t, h.rejected, "may not decide in an access review")
	for _, it := range res.Items {
		if it.DecidedBy != "default" {
			t.Errorf("%s decided by %s; want the default", it.ID, it.DecidedBy)
		}
	}
}

// A PII scan whose input names mallory as the approver of signups takes
// its approvers from the worker's catalog, which names owner: mallory's
// signed tag is refused, owner's tags the column.
func TestPIIScanTakesApproversFromTheWorkersCatalog(t *testing.T) {
	h := newPIIHarness(t)
	h.policy.AllowUnsigned = false
	worker := piiSignups
	worker.PII.Approvers = []string{"owner"}
	h.policy.Catalog = catalog.New([]catalog.Dataset{worker})
	contact := PIITagRequest{Dataset: "signups", Column: "contact"}
	mallory := h.tagSigned(t, time.Hour, contact, "mallory", "mallory", 0, "nonce-mallory-tag01", nil)
	owner := h.tagSigned(t, 2*time.Hour, contact, "owner", "owner", 0, "nonce-owner-contact", nil)
	r := h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{forgedApprovers(piiSignups)}})

	if mallory.accepted || mallory.rejected == nil || !strings.Contains(mallory.rejected.Error(), "may not tag a PII column") {
		t.Errorf("mallory's tag: accepted %v, refusal %v; want it refused", mallory.accepted, mallory.rejected)
	}
	if !owner.accepted || owner.err != nil || len(r.Tagged) != 1 || r.Tagged[0].Approver != "owner" {
		t.Fatalf("owner's tag: accepted %v, error %v, tagged %+v; want contact tagged by owner", owner.accepted, owner.err, r.Tagged)
	}
	for _, p := range h.posts {
		if strings.Contains(p.Text, "mallory") {
			t.Errorf("a notice names mallory as an approver: %q", p.Text)
		}
	}
}

// Under a rule that admits the dataset's owner team, the team is the
// worker's catalog's too: input naming mallory as the owner team does not
// let her tag, a member of the catalog's team (data-owners) may.
func TestPIIScanTakesTheOwnerTeamFromTheWorkersCatalog(t *testing.T) {
	h := newPIIHarness(t)
	h.policy.AllowUnsigned = false
	h.policy.Authz = authz.Policy{Rules: map[string][]string{authz.PIITag: {authz.Owner}}}
	worker := piiSignups
	worker.Owner.Team = "data-owners"
	h.policy.Catalog = catalog.New([]catalog.Dataset{worker})
	forged := piiSignups
	forged.Owner.Team = "mallory"
	contact := PIITagRequest{Dataset: "signups", Column: "contact"}
	mallory := h.tagSigned(t, time.Hour, contact, "mallory", "mallory", 0, "nonce-mallory-tag01", nil)
	owner := h.tagSigned(t, 2*time.Hour, contact, "owner", "owner", 0, "nonce-owner-contact", nil)
	r := h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{forged}})

	if mallory.accepted || mallory.rejected == nil || !strings.Contains(mallory.rejected.Error(), "may not tag a PII column") {
		t.Errorf("mallory's tag: accepted %v, refusal %v; want it refused", mallory.accepted, mallory.rejected)
	}
	if !owner.accepted || owner.err != nil || len(r.Tagged) != 1 || r.Tagged[0].Approver != "owner" {
		t.Fatalf("owner's tag: accepted %v, error %v, tagged %+v; want contact tagged by owner", owner.accepted, owner.err, r.Tagged)
	}
}
