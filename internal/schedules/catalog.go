package schedules

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/workflows"
)

// LifecycleSweepID is the schedule of the daily lifecycle sweep.
const LifecycleSweepID = Prefix + "lifecycle-sweep"

// lifecycleSweepAt is when the sweep runs each day, in UTC: early, so that
// announcements reach people at the start of their day.
const lifecycleSweepAt = 6 * time.Hour

// FromCatalog returns the schedules cat wants on taskQueue: the daily
// lifecycle sweep, carrying the datasets with a lifecycle, when any has one,
// and the datasets downstream of each.
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
	in := workflows.LifecycleSweepInput{Datasets: due, Downstream: downstreamOf(cat, due)}
	return []Schedule{{
		ID: LifecycleSweepID, Every: workflows.LifecycleSweepEvery, Offset: lifecycleSweepAt,
		Workflow: workflows.LifecycleSweepWorkflowName, WorkflowID: workflows.LifecycleSweepWorkflowID, TaskQueue: taskQueue,
		Args:    []any{in},
		Summary: "Start the deprecations whose deprecate_on has come",
	}}
}

// downstreamOf returns the datasets downstream of each of due that has
// any, or nil when none has: the lineage the deprecations' usage gates
// hold for.
func downstreamOf(cat *catalog.Catalog, due []catalog.Dataset) map[string][]catalog.Dataset {
	graph, _ := lineage.Build(cat.Datasets()) // config.Load refused cycles
	var out map[string][]catalog.Dataset
	for _, ds := range due {
		if down := graph.DownstreamDatasets(ds.Name); len(down) > 0 {
			if out == nil {
				out = map[string][]catalog.Dataset{}
			}
			out[ds.Name] = down
		}
	}
	return out
}
