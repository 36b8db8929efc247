// Package worker registers dre's workflows and activities in one place, for
// `dre dev`, `dre worker`, the end-to-end tests and the replay tests, so that
// none of them can drift from what production runs.
package worker

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/workflows"
)

// Deps are the connections activities use.
type Deps struct {
	Warehouses *warehouse.Registry
	// Notify posts to Slack and pages; nil registers an unconfigured one,
	// whose activities answer "not sent" instead of failing.
	Notify *activities.Notify
}

// RegisterWorkflows registers every workflow; replay tests need only this.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(workflows.Check)
	r.RegisterWorkflow(workflows.Runbook)
	r.RegisterWorkflowWithOptions(workflows.Backfill, workflow.RegisterOptions{Name: workflows.BackfillWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Triage, workflow.RegisterOptions{Name: workflows.TriageWorkflowName})
}

// Register registers every workflow and activity with its dependencies.
func Register(r sdkworker.Registry, d Deps) {
	RegisterWorkflows(r)
	r.RegisterActivity(&activities.Checks{Warehouses: d.Warehouses})
	r.RegisterActivity(&activities.Runbooks{Warehouses: d.Warehouses})
	r.RegisterActivity(&activities.Backfills{Warehouses: d.Warehouses})
	r.RegisterActivity(&activities.Diagnosis{Warehouses: d.Warehouses})
	notify := d.Notify
	if notify == nil {
		notify = &activities.Notify{}
	}
	// Several workflows need Notify; tolerating a second registration keeps
	// their registrations independent.
	r.RegisterActivityWithOptions(notify, activity.RegisterOptions{DisableAlreadyRegisteredCheck: true})
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
