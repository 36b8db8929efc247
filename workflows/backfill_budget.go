package workflows

import "go.temporal.io/sdk/workflow"

// backfillCatalogBudgetVersion marks runs that hold to the worker's
// catalog backfill.budget; older runs knew only their input's --budget.
const backfillCatalogBudgetVersion = "backfill-budget-from-catalog"

// budget is the cost above which the run waits for an approval: the
// input's --budget, or the dataset's backfill.budget in the worker's
// catalog when that is smaller or the input has none. The catalog's
// limit holds whichever client started the run, so none can skip the
// approval by asking for a larger budget or none. A run already approved
// (a cascade's child, approved once for the whole cascade) keeps its
// input's.
func (b *backfillRun) budget(ctx workflow.Context) float64 {
	limit := b.catalogBudget()
	switch {
	case limit <= 0, b.p.Approver != "", b.in.Budget > 0 && b.in.Budget <= limit:
		return b.in.Budget
	case workflow.GetVersion(ctx, backfillCatalogBudgetVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion:
		return b.in.Budget
	}
	b.catalogLimit = limit
	return limit
}

// catalogBudget is the dataset's backfill.budget in the worker's catalog
// (the decision policy's dataset); 0 when none is set or the run has no
// policy.
func (b *backfillRun) catalogBudget() float64 {
	if b.guard.policy == nil || b.guard.policy.Dataset.Backfill == nil {
		return 0
	}
	return b.guard.policy.Dataset.Backfill.Budget
}

// statusBudget is the budget the status shows: the catalog's when it
// set the run's, else the input's.
func (b *backfillRun) statusBudget() float64 {
	if b.catalogLimit > 0 {
		return b.catalogLimit
	}
	return b.in.Budget
}
