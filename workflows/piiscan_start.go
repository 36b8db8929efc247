package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// PIIScanWorkflowName is the registered name of the PII scan workflow.
const PIIScanWorkflowName = "PIIScan"

// KindPIIScan is the DreKind of PII scans.
const KindPIIScan = "pii-scan"

// PIIScanWorkflowID is the ID of a scope's scan: one at a time per scope.
// Scheduled runs append their start time to it.
func PIIScanWorkflowID(scope string) string { return "pii-scan/" + scope }

// PIIScanStarter is the slice of the Temporal client that starts a scan
// and waits for its report in one call.
type PIIScanStarter interface {
	NewWithStartWorkflowOperation(options client.StartWorkflowOptions, workflow any, args ...any) client.WithStartWorkflowOperation
	UpdateWithStartWorkflow(ctx context.Context, options client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// StartPIIScan starts pii-scan/<scope> and waits for its report in one
// call (update-with-start), so even a scan that finds nothing and
// finishes at once answers. A scan of the scope already running is
// refused with what to do instead.
func StartPIIScan(ctx context.Context, c PIIScanStarter, taskQueue string, in PIIScanInput) (PIIScanReport, error) {
	id := PIIScanWorkflowID(in.Scope)
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: orDefaultQueue(taskQueue), StaticSummary: "PII scan of " + in.Scope,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, PIIScanWorkflowName, in)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: PIIScanReportUpdate, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var r PIIScanReport
	if err == nil {
		err = h.Get(ctx, &r)
	}
	var running *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &running) {
		return r, fmt.Errorf("a PII scan %s is already running; tag its findings with dre pii tag, or wait until it ends", id)
	}
	if err != nil {
		return r, fmt.Errorf("PII scan %s: %w", id, err)
	}
	return r, nil
}

// Defaults of the PII scan schedule: daily at 03:00 UTC, when warehouses
// are quiet, give or take a jitter that spreads many dre deployments.
const (
	DefaultPIIScanEvery   = 24 * time.Hour
	piiScanDailyOffset    = 3 * time.Hour
	piiScanScheduleJitter = 10 * time.Minute
)

// PIIScanScheduleID is the ID of the Temporal Schedule of a scope's scans.
func PIIScanScheduleID(scope string) string { return "pii-scan/" + scope }

// PIIScanSchedule returns the options of a Temporal Schedule that runs
// the PII scan of in every `every` (0 means daily, at 03:00 UTC) on
// taskQueue. Pass it to client.ScheduleClient().Create.
//
// A scan waits for approvals, so its ApprovalTimeout is cut to 90% of the
// interval: the next scheduled scan then finds the offer's fate already
// settled, and the overlap policy (skip) never has to drop a scan.
// Datasets travel in the schedule's arguments: update the schedule when
// the catalog changes (dre pii schedule does).
func PIIScanSchedule(in PIIScanInput, every time.Duration, taskQueue string) client.ScheduleOptions {
	spec := client.ScheduleIntervalSpec{Every: every}
	if every <= 0 {
		spec = client.ScheduleIntervalSpec{Every: DefaultPIIScanEvery, Offset: piiScanDailyOffset}
	}
	if limit := spec.Every * 9 / 10; in.ApprovalTimeout == 0 || in.ApprovalTimeout > limit {
		in.ApprovalTimeout = limit
	}
	if taskQueue == "" {
		taskQueue = TaskQueue
	}
	return client.ScheduleOptions{
		ID:      PIIScanScheduleID(in.Scope),
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{spec}, Jitter: piiScanScheduleJitter},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID:            PIIScanWorkflowID(in.Scope),
			Workflow:      PIIScanWorkflowName,
			Args:          []any{in},
			TaskQueue:     taskQueue,
			StaticSummary: "PII scan of " + in.Scope,
		},
		Note: "Created by dre pii schedule; runs the pii-scan workflow over the catalog's datasets.",
	}
}
