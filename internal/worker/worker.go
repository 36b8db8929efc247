// Package worker registers dre's workflows and activities in one place, for
// `dre dev`, `dre worker`, the end-to-end tests and the replay tests, so that
// none of them can drift from what production runs.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/workflows"
)

// Deps are the connections activities use.
type Deps struct {
	Warehouses *warehouse.Registry
}

// RegisterWorkflows registers every workflow; replay tests need only this.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(workflows.Check)
}

// Register registers every workflow and activity with its dependencies.
func Register(r sdkworker.Registry, d Deps) {
	RegisterWorkflows(r)
	r.RegisterActivity(&activities.Checks{Warehouses: d.Warehouses})
}

// New returns a worker on dre's task queue with everything registered; the
// caller starts and stops it.
func New(c client.Client, taskQueue string, d Deps) sdkworker.Worker {
	if taskQueue == "" {
		taskQueue = workflows.TaskQueue
	}
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
	Register(w, d)
	return w
}
