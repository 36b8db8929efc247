// Package worker registers dre's workflows and activities in one place, for
// `dre dev`, `dre worker`, the end-to-end tests and the replay tests, so that
// none of them can drift from what production runs. Each workflow is
// registered under the name constant of its home in package workflows
// (workflows/<name>_start.go), which is also where every client starts it;
// each activity struct is built here with its dependencies (warehouses,
// Slack and PagerDuty, the state database).
package worker

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/followups"
	"github.com/dre-dev/dre/internal/schemasnap"
	"github.com/dre-dev/dre/internal/slo/slostore"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/workflows"
)

// Deps are the connections activities use.
type Deps struct {
	Warehouses *warehouse.Registry
	// Notify posts to Slack and pages; nil registers an unconfigured one,
	// whose activities answer "not sent" instead of failing.
	Notify *activities.Notify
	// StateDSN is dre's state database, where the audit log lives; ""
	// turns the audit log off (Audit.Record answers "not recorded").
	StateDSN string
	// SLOTriage lets SLO burns open triage; New and NewWithOptions fill it
	// from their client when nil.
	SLOTriage activities.SLOTriage
	// SLOFreeze lets backfills find an exhausted error budget; nil uses
	// SLOTriage when that can tell (the one SLOTriage returns can).
	SLOFreeze activities.SLOFreeze
	// Policy is dre.yaml's people, catalog and decisions settings, which
	// access requests check decisions against (see Policy); nil refuses
	// every access request, as nobody could be verified.
	Policy *activities.Policy
	// TriagePolicy is the triage policy of a dataset (TriagePolicies),
	// for the incidents SLO burns open; nil means the defaults.
	TriagePolicy func(catalog.Dataset) workflows.TriagePolicy
	// ActiveGrants lists the running access requests' grants for the
	// access reconciler; New and NewWithOptions fill it from their client
	// when nil. Without it the reconciler refuses to run.
	ActiveGrants activities.ActiveAccessGrants
	// AccessLedger lists the running access requests, so that a
	// deprecation's restore gives back only allowed reads; New and
	// NewWithOptions fill it from their client when nil.
	AccessLedger activities.AccessLedger
	// Checkpoints signs the audit log's scheduled checkpoints with the
	// worker's key (see AuditCheckpoints); nil registers one that refuses,
	// saying what to set in dre.yaml.
	Checkpoints *activities.AuditCheckpoints
}

// RegisterWorkflows registers every workflow; replay tests need only this.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.Check, workflow.RegisterOptions{Name: workflows.CheckWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Runbook, workflow.RegisterOptions{Name: workflows.RunbookWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Backfill, workflow.RegisterOptions{Name: workflows.BackfillWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.BackfillCascade, workflow.RegisterOptions{Name: workflows.BackfillCascadeWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Triage, workflow.RegisterOptions{Name: workflows.TriageWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AccessRequest, workflow.RegisterOptions{Name: workflows.AccessRequestWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AccessReview, workflow.RegisterOptions{Name: workflows.AccessReviewWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.PIIScan, workflow.RegisterOptions{Name: workflows.PIIScanWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.SLOEval, workflow.RegisterOptions{Name: workflows.SLOEvalWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.SLOBatchEval, workflow.RegisterOptions{Name: workflows.SLOBatchEvalWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Deprecate, workflow.RegisterOptions{Name: workflows.DeprecateWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.LifecycleSweep, workflow.RegisterOptions{Name: workflows.LifecycleSweepWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.RestoreDeprecated, workflow.RegisterOptions{Name: workflows.RestoreDeprecatedWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AccessReconcile, workflow.RegisterOptions{Name: workflows.AccessReconcileWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AuditCheckpoint, workflow.RegisterOptions{Name: workflows.AuditCheckpointWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.FollowupReminders, workflow.RegisterOptions{Name: workflows.FollowupRemindersWorkflowName})
}

// Register registers every workflow and activity with its dependencies.
func Register(r sdkworker.Registry, d Deps) {
	RegisterWorkflows(r)
	r.RegisterActivity(&activities.Checks{Warehouses: d.Warehouses})
	r.RegisterActivity(&activities.Lineage{Warehouses: d.Warehouses, Catalog: catalogOf(d.Policy)})
	r.RegisterActivity(&activities.Runbooks{Warehouses: d.Warehouses})
	r.RegisterActivity(&activities.Backfills{Warehouses: d.Warehouses, Catalog: catalogOf(d.Policy)})
	diagnosis := &activities.Diagnosis{Warehouses: d.Warehouses}
	if d.StateDSN != "" {
		diagnosis.Snapshots = schemasnap.New(d.StateDSN)
	}
	r.RegisterActivity(diagnosis)
	r.RegisterActivity(followupReminders(d))
	r.RegisterActivity(&activities.Access{Warehouses: d.Warehouses, Incidents: d.SLOTriage})
	r.RegisterActivity(auditLog(d))
	r.RegisterActivity(&activities.AccessReconcile{Warehouses: d.Warehouses, Active: d.ActiveGrants, Audit: auditLog(d)})
	checkpoints := d.Checkpoints
	if checkpoints == nil {
		checkpoints = &activities.AuditCheckpoints{DSN: d.StateDSN}
	}
	r.RegisterActivity(checkpoints)
	policy := d.Policy
	if policy == nil {
		policy = &activities.Policy{} // answers "no policy" for good
	}
	r.RegisterActivity(policy)
	r.RegisterActivity(&activities.PIIScans{Warehouses: d.Warehouses})
	slos := &activities.SLOs{Warehouses: d.Warehouses, Triage: d.SLOTriage, Freeze: d.SLOFreeze, Catalog: catalogOf(d.Policy)}
	if f, ok := d.SLOTriage.(activities.SLOFreeze); ok && slos.Freeze == nil {
		slos.Freeze = f
	}
	if d.StateDSN != "" {
		slos.Store = slostore.New(d.StateDSN)
	}
	r.RegisterActivity(slos)
	// A StepAudit over an Audit without DSN records nothing, as wanted.
	deprecations := &activities.Deprecations{Warehouses: d.Warehouses, Audit: activities.StepAudit{Audit: auditLog(d)},
		Ledger: d.AccessLedger}
	if d.Policy != nil {
		deprecations.Catalog = d.Policy.Catalog
	}
	r.RegisterActivity(deprecations)
	notify := d.Notify
	if notify == nil {
		notify = &activities.Notify{}
	}
	// Several workflows need Notify; tolerating a second registration keeps
	// their registrations independent.
	r.RegisterActivityWithOptions(notify, activity.RegisterOptions{DisableAlreadyRegisteredCheck: true})
}

// auditLog is the audit log activity of the worker's state database; it
// also reads the checkpoint directory, when the worker has one.
func auditLog(d Deps) *activities.Audit {
	a := &activities.Audit{DSN: d.StateDSN}
	if d.Checkpoints != nil {
		a.CheckpointDir = d.Checkpoints.Dir
	}
	return a
}

// New returns a worker on dre's task queue with everything registered; the
// caller starts and stops it.
func New(c client.Client, taskQueue string, d Deps) sdkworker.Worker {
	return NewWithOptions(c, taskQueue, d, sdkworker.Options{})
}

// NewWithOptions is New with the SDK's worker options, such as the
// WorkerStopTimeout that `dre worker` drains within.
func NewWithOptions(c client.Client, taskQueue string, d Deps, o sdkworker.Options) sdkworker.Worker {
	if taskQueue == "" {
		taskQueue = workflows.TaskQueue
	}
	if d.SLOTriage == nil {
		d.SLOTriage = sloTriage{c: c, taskQueue: taskQueue, policy: d.TriagePolicy}
	}
	if d.ActiveGrants == nil {
		d.ActiveGrants = ActiveAccessGrants(c)
	}
	if d.AccessLedger == nil {
		d.AccessLedger = AccessLedger(c)
	}
	w := sdkworker.New(c, taskQueue, o)
	Register(w, d)
	return w
}

// followupReminders reads the follow-ups of the worker's state database
// and places them by its catalog and people.
func followupReminders(d Deps) *activities.Followups {
	f := &activities.Followups{Catalog: catalogOf(d.Policy)}
	if d.StateDSN != "" {
		f.Store = followups.New(d.StateDSN)
	}
	if d.Policy != nil {
		f.People = d.Policy.People
	}
	return f
}
