package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// reconcileConcurrency bounds the batches read at once, so that a pass
// over the whole catalog does not crowd a warehouse.
const reconcileConcurrency = 4

// reconcileRevokeBatch is the orphans one revoke activity settles.
const reconcileRevokeBatch = 200

// reconcileOptions run the reconciler's activities: they heartbeat, and
// a batch that still fails after a few tries is reported, the next pass
// trying again.
func reconcileOptions(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute, HeartbeatTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: 3},
		Summary:     summary,
	})
}

// listActive reads the grants of the running access requests.
func (r *accessReconcile) listActive(ctx workflow.Context) ([]activities.ActiveGrant, error) {
	var a *activities.AccessReconcile
	var active []activities.ActiveGrant
	err := workflow.ExecuteActivity(reconcileOptions(ctx, "list running access requests"), a.ReconcileListActive, []string(nil)).Get(ctx, &active)
	if err != nil {
		return nil, fmt.Errorf("listing the running access requests, so nothing was revoked: %w", err)
	}
	r.report.Active = len(active)
	return active, nil
}

// readAll reads the ACLs in batches, reconcileConcurrency at a time, and
// returns the orphans in catalog order.
func (r *accessReconcile) readAll(ctx workflow.Context, active []activities.ActiveGrant) []activities.Orphan {
	batches := r.batches(active)
	var a *activities.AccessReconcile
	futures := make([]workflow.Future, len(batches))
	var orphans []activities.Orphan
	collect := func(i int) {
		var res activities.ReconcileReadResult
		if err := futures[i].Get(ctx, &res); err != nil {
			r.report.Failures = append(r.report.Failures, fmt.Sprintf("tables %s: %s", batchNames(batches[i]), failureReason(err)))
			return
		}
		r.report.Tables += res.Checked
		r.report.Grants += res.Grants
		r.report.Skipped = append(r.report.Skipped, res.Skipped...)
		orphans = append(orphans, res.Orphans...)
	}
	for i, b := range batches {
		if i >= reconcileConcurrency {
			collect(i - reconcileConcurrency)
		}
		summary := fmt.Sprintf("read the grants of %d tables", len(b))
		futures[i] = workflow.ExecuteActivity(reconcileOptions(ctx, summary), a.ReconcileReadGrants, activities.ReconcileReadInput{Tables: b})
	}
	for i := max(0, len(batches)-reconcileConcurrency); i < len(batches); i++ {
		collect(i)
	}
	return orphans
}

// batches splits the PII tables into read batches, each table with what
// should exist on it.
func (r *accessReconcile) batches(active []activities.ActiveGrant) [][]activities.ReconcileTable {
	byDataset := map[string][]activities.ActiveGrant{}
	for _, g := range active {
		byDataset[g.Dataset] = append(byDataset[g.Dataset], g)
	}
	var out [][]activities.ReconcileTable
	for i, d := range r.in.Datasets {
		if i%r.in.BatchSize == 0 {
			out = append(out, nil)
		}
		t := activities.ReconcileTable{
			Dataset: d.Name, Warehouse: d.Warehouse, Table: d.Table,
			PIIColumns: piiColumns(d), Standing: d.Access.Standing,
			Active: byDataset[d.Name], ReportOnly: d.Access.ReportsOrphans(),
		}
		out[len(out)-1] = append(out[len(out)-1], t)
	}
	return out
}

// batchNames names a batch's datasets for a failure report.
func batchNames(b []activities.ReconcileTable) string {
	if len(b) == 1 {
		return b[0].Dataset
	}
	return b[0].Dataset + " to " + b[len(b)-1].Dataset
}

// settleAll revokes or reports the orphans, reconcileRevokeBatch at a time.
func (r *accessReconcile) settleAll(ctx workflow.Context, orphans []activities.Orphan) {
	var a *activities.AccessReconcile
	for chunk := range slices.Chunk(orphans, reconcileRevokeBatch) {
		var outcomes []activities.OrphanOutcome
		in := activities.ReconcileRevokeInput{Orphans: chunk, DryRun: r.in.DryRun}
		summary := fmt.Sprintf("settle %d orphaned grants", len(chunk))
		if err := workflow.ExecuteActivity(reconcileOptions(ctx, summary), a.ReconcileRevoke, in).Get(ctx, &outcomes); err != nil {
			r.report.Failures = append(r.report.Failures, fmt.Sprintf("settling %d orphans (first on %s): %s", len(chunk), chunk[0].Dataset, failureReason(err)))
			continue
		}
		r.report.Orphans = append(r.report.Orphans, outcomes...)
	}
}

// notifyOwners tells each owner channel what happened to its datasets'
// orphans. A dry run tells nobody.
func (r *accessReconcile) notifyOwners(ctx workflow.Context) {
	if r.in.DryRun {
		return
	}
	byChannel := map[string][]activities.OrphanOutcome{}
	var channels []string
	for _, o := range r.report.Orphans {
		ch := r.byName[o.Dataset].Owner.SlackChannel
		if ch == "" {
			continue
		}
		if _, seen := byChannel[ch]; !seen {
			channels = append(channels, ch)
		}
		byChannel[ch] = append(byChannel[ch], o)
	}
	for _, ch := range channels {
		postSlack(ctx, ch, reconcileNotice(r.report.WorkflowID, byChannel[ch]))
	}
}

// reconcileNoticeLines caps the grants one Slack message lists.
const reconcileNoticeLines = 20

// reconcileNotice is one owner channel's message.
func reconcileNotice(workflowID string, outcomes []activities.OrphanOutcome) string {
	var b strings.Builder
	appendf(&b, ":lock: The access reconciler found %d grant(s) on your PII tables that no standing grant (access.standing in dre.yaml) and no running access request explains:\n", len(outcomes))
	for i, o := range outcomes {
		if i == reconcileNoticeLines {
			appendf(&b, "…and %d more; see workflow `%s`.\n", len(outcomes)-i, workflowID)
			break
		}
		appendf(&b, "• %s: %s *%s*%s\n", o.Dataset, activities.SlackEscape(OrphanText(o.Orphan)), o.Action, orphanError(o))
	}
	b.WriteString("Declare access that should stay under the dataset's access.standing; ask for the rest with `dre access request`.")
	return b.String()
}

// OrphanText describes an orphaned grant: "SELECT on public.customers(email) to bob".
func OrphanText(o activities.Orphan) string {
	target := o.Grant.Table.String()
	if o.Grant.Column != "" {
		target += "(" + o.Grant.Column + ")"
	}
	return fmt.Sprintf("%s on %s to %s", o.Grant.Privilege, target, o.Grant.Principal)
}

func orphanError(o activities.OrphanOutcome) string {
	if o.Error == "" {
		return ""
	}
	return ": " + activities.SlackEscape(o.Error)
}

// AccessReconcileDatasets keeps the datasets with PII columns, the ones
// the reconciler looks at, in their order, and of each only what it reads
// (name, table, owner, PII, access), so that a schedule carrying a
// thousand of them stays small.
func AccessReconcileDatasets(ds []catalog.Dataset) []catalog.Dataset {
	var out []catalog.Dataset
	for _, d := range ds {
		if len(d.PII.Columns) > 0 {
			out = append(out, catalog.Dataset{Name: d.Name, Warehouse: d.Warehouse, Table: d.Table, Owner: d.Owner, PII: d.PII, Access: d.Access})
		}
	}
	return out
}
