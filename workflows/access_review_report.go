package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// execute audits every decision and carries out the revocations, each
// retried until the warehouse confirms the grant is gone. A revocation
// refused for good does not stop the others (see revokesPastFailure); the
// refused ones are not audited as revoked, and are all returned.
func (r *review) execute(ctx workflow.Context) error {
	if workflow.GetVersion(ctx, reviewParallelVersion, workflow.DefaultVersion, 1) >= 1 {
		r.setStatus(ctx, "revoking")
		return r.executeInParallel(ctx)
	}
	r.setStatus(ctx, "revoking")
	var a *activities.Access
	var failed []error
	for i := range r.res.Items {
		it := &r.res.Items[i]
		action := AuditReviewKeep
		if it.Decision == ReviewRevoke {
			action = AuditReviewRevoke
			if err := workflow.ExecuteActivity(grantOptions(ctx, "revoke "+it.ID), a.RevokeAccess, it.AccessGrant).Get(ctx, nil); err != nil {
				if !revokesPastFailure(ctx) {
					return err
				}
				failed = append(failed, fmt.Errorf("revoke %s: %w", it.ID, err))
				continue
			}
			it.Revoked = true
		}
		auditEntry(ctx, activities.AuditEntry{Actor: it.DecidedBy, Action: action, Target: it.ID, Reason: it.Note,
			Details: map[string]string{"period": r.in.Period, "principal": it.Grant.Principal, "table": it.Grant.Table.String(), "column": it.Grant.Column}})
	}
	return errors.Join(failed...)
}

// report writes the Markdown and CSV reports, posts the Markdown and
// audits the review's completion.
func (r *review) report(ctx workflow.Context) {
	r.res.Markdown, r.res.CSV = reviewMarkdown(r.res), reviewCSV(r.res)
	kept, revoked, defaulted := r.counts()
	postSlack(ctx, r.in.ComplianceChannel, r.res.Markdown)
	details := map[string]string{"kept": fmt.Sprint(kept), "revoked": fmt.Sprint(revoked), "defaulted": fmt.Sprint(defaulted)}
	if n := r.notRevoked(); n > 0 {
		details["not_revoked"] = fmt.Sprint(n)
	}
	auditEntry(ctx, activities.AuditEntry{Actor: "dre", Action: AuditReviewReport, Target: AccessReviewWorkflowID(r.in.Period), Details: details})
	r.setStatus(ctx, "done")
}

// counts tallies the items; one that could not be revoked counts as
// neither kept nor revoked (see notRevoked).
func (r *review) counts() (kept, revoked, defaulted int) {
	for _, it := range r.res.Items {
		switch {
		case it.Revoked:
			revoked++
		case it.NotRevoked == "":
			kept++
		}
		if it.DecidedBy == "default" {
			defaulted++
		}
	}
	return kept, revoked, defaulted
}

// notRevoked counts the grants decided revoke that are still in place.
func (r *review) notRevoked() int {
	n := 0
	for _, it := range r.res.Items {
		if it.NotRevoked != "" {
			n++
		}
	}
	return n
}

func reviewMarkdown(res AccessReviewResult) string {
	var b strings.Builder
	appendf(&b, "# Access review %s\n\n%d grant(s) on PII reviewed; deadline %s.\n\n", res.Period, len(res.Items), res.Deadline.UTC().Format("2006-01-02 15:04 UTC"))
	b.WriteString("| grant | dataset | principal | column | decision | decided by | revoked | note |\n|---|---|---|---|---|---|---|---|\n")
	for _, it := range res.Items {
		appendf(&b, "| %s | %s | %s | %s | %s | %s | %t | %s |\n", it.ID, it.Dataset, it.Grant.Principal, orText(it.Grant.Column, grantScope(it.Grant)),
			it.Decision, it.DecidedBy, it.Revoked, strings.ReplaceAll(it.Note, "|", "\\|"))
	}
	notRevokedMarkdown(&b, res.Items)
	return b.String()
}

func reviewCSV(res AccessReviewResult) string {
	var b strings.Builder
	b.WriteString("grant,dataset,warehouse,table,principal,column,decision,decided_by,revoked,note,not_revoked\n")
	for _, it := range res.Items {
		fields := []string{it.ID, it.Dataset, it.Warehouse, it.Grant.Table.String(), it.Grant.Principal, it.Grant.Column,
			it.Decision, it.DecidedBy, fmt.Sprint(it.Revoked), it.Note, it.NotRevoked}
		for i, f := range fields {
			if strings.ContainsAny(f, ",\"\n") {
				fields[i] = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
			}
		}
		b.WriteString(strings.Join(fields, ",") + "\n")
	}
	return b.String()
}

// notRevokedMarkdown lists the grants decided revoke that dre could not
// take away, with the warehouse's reason, for someone to act on.
func notRevokedMarkdown(b *strings.Builder, items []ReviewItem) {
	header := false
	for _, it := range items {
		if it.NotRevoked == "" {
			continue
		}
		if !header {
			b.WriteString("\n## Could not revoke\n\nThese grants were decided revoke but are still in place; revoke them as the role that granted them.\n\n")
			header = true
		}
		appendf(b, "- %s (%s on %s%s): could not revoke: %s\n", it.ID, it.Grant.Privilege, it.Grant.Table, onColumn(it.Grant.Column), it.NotRevoked)
	}
}

// grantScope is what a grant without a column covers: the table, or all
// of a BigQuery dataset.
func grantScope(g warehouse.Grant) string {
	if g.OnDataset {
		return "(dataset)"
	}
	return "(table)"
}
