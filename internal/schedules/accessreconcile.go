package schedules

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// AccessReconcileID is the schedule of the grant reconciler. It is under
// Prefix: the catalog decides it, so sync creates, updates and deletes it.
const AccessReconcileID = Prefix + "access-reconcile"

// AccessReconcile returns the reconciler's schedule when the catalog has
// PII datasets: a pass every `every` (0 means
// workflows.DefaultAccessReconcileEvery), carrying those datasets.
func AccessReconcile(cat *catalog.Catalog, every time.Duration, taskQueue string) []Schedule {
	var all []catalog.Dataset
	for _, name := range cat.Names() {
		ds, _ := cat.Lookup(name) // a name from Names is always found
		all = append(all, ds)
	}
	pii := workflows.AccessReconcileDatasets(all)
	if len(pii) == 0 {
		return nil
	}
	if every <= 0 {
		every = workflows.DefaultAccessReconcileEvery
	}
	return []Schedule{{
		ID: AccessReconcileID, Every: every,
		Workflow: workflows.AccessReconcileWorkflowName, WorkflowID: workflows.AccessReconcileWorkflowID("scheduled"), TaskQueue: taskQueue,
		Args:    []any{workflows.AccessReconcileInput{Datasets: pii}},
		Summary: workflows.AccessReconcileSummary,
	}}
}

// Wanted is every schedule dre.yaml asks for: the catalog's lifecycle
// sweep, the access reconciler, which runs every reconcileEvery, and the
// audit checkpoints, published every checkpointEvery (0: none).
func Wanted(cat *catalog.Catalog, reconcileEvery, checkpointEvery time.Duration, taskQueue string) []Schedule {
	wanted := append(FromCatalog(cat, taskQueue), AccessReconcile(cat, reconcileEvery, taskQueue)...)
	return append(wanted, AuditCheckpoint(checkpointEvery, taskQueue)...)
}
