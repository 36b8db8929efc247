// Package workflows holds dre's durable workflows. Workflow code is
// deterministic: it does no I/O, reads no clock but workflow.Now, starts no
// goroutines, and reaches the outside world only through activities.
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
