package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// TriageWorkflowName is the registered name of the triage workflow.
const TriageWorkflowName = "Triage"

// KindTriage is the DreKind of incidents.
const KindTriage = "triage"

// TriageWorkflowID is the ID of a dataset's open incident: one per dataset.
func TriageWorkflowID(dataset string) string { return "triage/" + dataset }

// ReportTriage signals the dataset's open incident with in.Report,
// starting the incident when none is open, in one atomic call: two reports
// of the same dataset cannot open two incidents. Slack, PagerDuty, SLO
// burns and the CLI all report this way.
func ReportTriage(ctx context.Context, c SignalStarter, taskQueue string, in TriageInput) (client.WorkflowRun, error) {
	id := TriageWorkflowID(in.Dataset.Name)
	opts := client.StartWorkflowOptions{
		ID: id, TaskQueue: orDefaultQueue(taskQueue),
		StaticSummary: fmt.Sprintf("Triage of %s reported by %s", in.Dataset.Name, in.Report.Reporter),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			KindKey.ValueSet(KindTriage), DatasetKey.ValueSet(in.Dataset.Name),
			StatusKey.ValueSet(TriageOpen), RequesterKey.ValueSet(in.Report.Reporter),
		),
	}
	return c.SignalWithStartWorkflow(ctx, id, TriageReportSignal, in.Report, opts, TriageWorkflowName, in)
}

// SignalOpenTriage delivers r to the dataset's open incident only, and
// reports whether one was open: a resolve from a monitoring tool must not
// open an incident of its own.
func SignalOpenTriage(ctx context.Context, c client.Client, dataset string, r TriageReport) (bool, error) {
	return signalTriage(ctx, c, dataset, r)
}

// SignalRecentTriage is SignalOpenTriage for an incident that opened at or
// after since: an older one is likely another story.
func SignalRecentTriage(ctx context.Context, c client.Client, dataset string, since time.Time, r TriageReport) (bool, error) {
	d, err := c.DescribeWorkflowExecution(ctx, TriageWorkflowID(dataset), "")
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return false, nil
	case err != nil:
		return false, err
	}
	info := d.GetWorkflowExecutionInfo()
	if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || info.GetStartTime().AsTime().Before(since) {
		return false, nil
	}
	return signalTriage(ctx, c, dataset, r)
}

// signalTriage delivers r to the dataset's open incident, if any.
func signalTriage(ctx context.Context, c client.Client, dataset string, r TriageReport) (bool, error) {
	err := c.SignalWorkflow(ctx, TriageWorkflowID(dataset), "", TriageReportSignal, r)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return false, nil
	}
	return err == nil, err
}
