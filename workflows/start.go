package workflows

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// Client-side homes. Each workflow has one file, <name>_start.go, holding
// what a client needs to start it: its registered name, its ID function,
// its DreKind value, its start options (search attributes, summary and
// details for the Temporal UI) and a Start function. The CLI, the gateway,
// the schedules and the worker all start workflows through those files, so
// a name or a kind is spelled once.

// Starter is the slice of the Temporal client that starts workflows; a
// client.Client is one, and tests pass fakes.
type Starter interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
}

// SignalStarter is the slice of the Temporal client that joins a running
// workflow or starts it, in one call.
type SignalStarter interface {
	SignalWithStartWorkflow(ctx context.Context, workflowID, signalName string, signalArg any,
		options client.StartWorkflowOptions, workflow any, workflowArgs ...any) (client.WorkflowRun, error)
}

// exclusiveStart is the options of a run that must be the only running one
// of its ID: a second start fails with WorkflowExecutionAlreadyStarted
// (which callers turn into "already running" with a link) instead of the
// SDK quietly returning the running run; a finished one may run again.
func exclusiveStart(id, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                                       id,
		TaskQueue:                                orDefaultQueue(taskQueue),
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
}

// orDefaultQueue is dre's task queue when the caller's config names none.
func orDefaultQueue(taskQueue string) string {
	if taskQueue == "" {
		return TaskQueue
	}
	return taskQueue
}
