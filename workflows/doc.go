// Package workflows holds dre's durable workflows and, beside each, the
// client-side code that starts it. Workflow code is deterministic: it does
// no I/O, reads no clock but workflow.Now, starts no goroutines, and
// reaches the outside world only through activities.
//
// # Where things live
//
// Every workflow has a client-side home, <name>_start.go, with its
// registered name (XWorkflowName), its ID function, its DreKind value
// (KindX), its start options and a Start function. The CLI
// (internal/cli), the Slack and PagerDuty gateway (internal/gateway), the
// Temporal Schedules (internal/schedules) and the worker's SLO breach
// reporter (internal/worker) all start workflows through these functions
// and nowhere else. internal/worker registers every workflow under its
// name constant; workflows started as children use the same constants.
//
// The workflow itself is <name>.go (input, status and result types and
// the entry point), <name>_handlers.go (queries, updates with their
// validators, signals) and <name>_steps.go (the steps, each calling
// activities in package activities). The runbook interpreter has one file more,
// runbook_scope.go (inputs, expressions and the catalog resolver), and its
// start file also prepares a run (PrepareRunbook) and plans a dry run.
// Activities are in the file of the same domain name:
//
//	workflow           start file          activities
//	Backfill           backfill_start.go   activities/backfill*.go (Backfills)
//	Check              check_start.go      activities/check.go (Checks)
//	Triage             triage_start.go     activities/diagnose*.go (Diagnosis), notify.go, triage_slack.go (Notify)
//	Runbook            runbook_start.go    activities/runbook*.go (Runbooks), notify.go
//	Deprecate          deprecate_start.go  activities/deprecate*.go (Deprecations)
//	LifecycleSweep     deprecate_start.go  none: starts Deprecate children
//	RestoreDeprecated  deprecate_start.go  activities/deprecate_restore.go (Deprecations)
//	AccessRequest      access_start.go     activities/access.go (Access), audit.go (Audit)
//	AccessReview       access_start.go     activities/access.go (Access), audit.go (Audit)
//	AccessReconcile    access_reconcile_start.go  activities/access_reconcile*.go (AccessReconcile)
//	AuditCheckpoint    audit_checkpoint_start.go  activities/audit_checkpoint*.go (AuditCheckpoints), notify.go
//	PIIScan            piiscan_start.go    activities/piiscan*.go (PIIScans)
//	SLOEval            slo_start.go        activities/slo*.go (SLOs)
//
// Shared by all: start.go (the Starter interfaces and exclusive start
// options), slack.go (posting to Slack with one retry policy),
// searchattrs.go (the search attributes), metrics.go.
package workflows

// TaskQueue is the task queue dre's workers poll and dre's clients start on.
const TaskQueue = "dre"

// StatusQuery is the name of the query every dre workflow answers with its
// current status.
const StatusQuery = "status"

// Application error types, from one place so that workflows, activities and
// clients agree on them.
const (
	// ErrInvalidInput marks input that no retry can fix.
	ErrInvalidInput = "InvalidInput"
	// ErrTableNotFound marks a catalog table that does not exist in its warehouse.
	ErrTableNotFound = "TableNotFound"
	// ErrUnknownWarehouse marks a warehouse name the worker has no connection for.
	ErrUnknownWarehouse = "UnknownWarehouse"
)
