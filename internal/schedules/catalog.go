package schedules

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// LifecycleSweepID is the schedule of the daily lifecycle sweep.
const LifecycleSweepID = Prefix + "lifecycle-sweep"

// lifecycleSweepAt is when the sweep runs each day, in UTC: early, so that
// announcements reach people at the start of their day.
const lifecycleSweepAt = 6 * time.Hour

// FromCatalog returns the schedules cat wants on taskQueue: the daily
// lifecycle sweep, carrying the datasets with a lifecycle, when any has one.
func FromCatalog(cat *catalog.Catalog, taskQueue string) []Schedule {
	var due []catalog.Dataset
	for _, name := range cat.Names() {
		ds, _ := cat.Lookup(name) // a name from Names is always found
		if ds.Lifecycle != nil {
			due = append(due, ds)
		}
	}
	if len(due) == 0 {
		return nil
	}
	return []Schedule{{
		ID: LifecycleSweepID, Every: workflows.LifecycleSweepEvery, Offset: lifecycleSweepAt,
		Workflow: workflows.LifecycleSweepWorkflowName, WorkflowID: workflows.LifecycleSweepWorkflowID, TaskQueue: taskQueue,
		Args:    []any{workflows.LifecycleSweepInput{Datasets: due}},
		Summary: "Start the deprecations whose deprecate_on has come",
	}}
}
