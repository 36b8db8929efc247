package workflows

import (
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
)

// ReviewDecisionTarget is the decision.Decision.Target a signed
// ReviewDecision covers: the grant (or ReviewAll) and keep or revoke, so
// that a signature to keep one grant cannot keep another, or revoke it.
func ReviewDecisionTarget(d ReviewDecision) string {
	return d.Grant + "=" + d.Decision
}

// claim is d as a decision for the guard to prove.
func (r *review) claim(ctx workflow.Context, d ReviewDecision) claim {
	by := d.By
	if r.guard.policy == nil {
		by = legacyDecider(d.By, d.Proof)
	}
	return claim{workflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, action: AccessReviewDecideUpdate,
		target: ReviewDecisionTarget(d), by: by, proof: d.Proof,
		cli: "dre access review decide " + r.in.Period + " " + d.Grant + " " + d.Decision}
}

// itemFacts are what the review.decide rule refers to for one grant: its
// approvers (pii.approvers) and its dataset's owner team, the worker's
// catalog's (the input's in runs recorded before), and the grant's
// holder, who may not decide on it.
func (r *review) itemFacts(it ReviewItem) authz.Facts {
	f := authz.Facts{Dataset: it.Dataset, Approvers: r.guard.approversOf(it.Dataset, it.Approvers), Requester: it.Grant.Principal}
	if i := slices.IndexFunc(r.in.Datasets, func(ds catalog.Dataset) bool { return ds.Name == it.Dataset }); i >= 0 {
		f.OwnerTeam = r.in.Datasets[i].Owner.Team
	}
	f.OwnerTeam = r.guard.ownerTeamOf(it.Dataset, f.OwnerTeam)
	return f
}

// holds reports whether the proven decider holds the grant under review,
// by any name they go by in the worker's directory: the name they
// decided as, their person ID, their Slack user ID or their warehouse
// principal.
func (r *review) holds(who decider, it ReviewItem) bool {
	names := []string{who.name}
	dir := r.guard.policy.People
	if p, err := dir.Person(who.person); who.person != "" && err == nil {
		names = append(names, p.ID, p.SlackUser)
		if role, err := dir.Principal(p.ID, it.Warehouse); err == nil {
			names = append(names, role)
		}
	}
	return slices.ContainsFunc(names, func(n string) bool { return sameIdentity(n, it.Grant.Principal) })
}

// authorizeItem applies separation of duties and the review.decide rule
// to one grant, counting a refusal.
func (r *review) authorizeItem(ctx workflow.Context, who decider, it ReviewItem) error {
	if r.holds(who, it) {
		r.guard.countRefusal(ctx, authz.ReviewDecide, authz.ReasonSelfApproval)
		return temporal.NewApplicationError(fmt.Sprintf("%s cannot decide on their own access (separation of duties); another approver decides %s", who.name, it.ID), ErrSeparationOfDuties)
	}
	return r.guard.authorize(ctx, authz.ReviewDecide, who, r.itemFacts(it))
}

// mayDecide is authorizeItem without counting, for the items a bulk
// decision covers.
func (r *review) mayDecide(who decider, it ReviewItem) bool {
	if it.Decision != "" || r.holds(who, it) {
		return false
	}
	ad := who.authzDecider()
	return r.guard.policy.Authz.Check(r.guard.policy.People, authz.ReviewDecide, ad, r.itemFacts(it)) == nil
}

// vetDecision proves who sends d and applies the rule to the grant it
// names; a bulk decision must cover at least one undecided grant.
func (r *review) vetDecision(ctx workflow.Context, d ReviewDecision, item int) error {
	who, err := r.guard.prove(ctx, r.claim(ctx, d))
	if err != nil {
		r.guard.countRefusal(ctx, authz.ReviewDecide, "unproven")
		return err
	}
	if item >= 0 {
		return r.authorizeItem(ctx, who, r.res.Items[item])
	}
	first := -1
	for i, it := range r.res.Items {
		if it.Decision != "" {
			continue
		}
		if r.mayDecide(who, it) {
			return nil
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		return errors.New("every grant of the review is decided already")
	}
	return r.authorizeItem(ctx, who, r.res.Items[first])
}

// decideItems applies an accepted decision to the grants it covers and
// returns how many; runs recorded before the guard match names.
func (r *review) decideItems(d ReviewDecision, who decider) int {
	n := 0
	for i := range r.res.Items {
		it := &r.res.Items[i]
		if d.Grant != ReviewAll && d.Grant != it.ID {
			continue
		}
		ok := decidable(*it, who.name)
		if r.guard.policy != nil {
			ok = r.mayDecide(who, *it)
		}
		if ok {
			it.Decision, it.DecidedBy, it.Note, it.DecisionKey = d.Decision, who.name, d.Note, who.evidence
			n++
		}
	}
	return n
}

// auditDetails are the audit details of a decided grant, with the
// decision's evidence when it has any.
func (r *review) auditDetails(it ReviewItem) map[string]string {
	details := map[string]string{"period": r.in.Period, "principal": it.Grant.Principal, "table": it.Grant.Table.String(),
		"column": it.Grant.Column, "decision": it.Decision, "note": it.Note}
	if it.DecisionKey != "" {
		details["verified_key"] = it.DecisionKey
	}
	return details
}
