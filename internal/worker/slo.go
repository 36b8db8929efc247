package worker

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// SLOTriage gives the SLO activities the triage workflow through Temporal:
// a breach is reported by signal-with-start on triage/<dataset>, exactly
// as Slack and PagerDuty reports are, so there is only ever one incident.
func SLOTriage(c client.Client, taskQueue string) activities.SLOTriage {
	if taskQueue == "" {
		taskQueue = workflows.TaskQueue
	}
	return sloTriage{c: c, taskQueue: taskQueue}
}

type sloTriage struct {
	c         client.Client
	taskQueue string
	policy    func(catalog.Dataset) workflows.TriagePolicy // nil: the defaults
}

// SLOFreeze tells from Temporal's visibility whether a dataset's SLO
// error budget is exhausted; the backfill and runbook workflows ask it
// through activities.SLOs, the CLI directly for its heads-up.
func SLOFreeze(c client.Client) activities.SLOFreeze { return sloTriage{c: c} }

// Frozen reports whether the dataset's SLO evaluator runs with an
// exhausted error budget (workflows.SLOFrozenQuery), or, under
// slo.batch, whether a batch evaluator shows it frozen.
func (s sloTriage) Frozen(ctx context.Context, dataset string) (bool, error) {
	resp, err := s.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: workflows.SLOFrozenQuery(dataset), PageSize: 1})
	if err != nil {
		return false, err
	}
	if len(resp.Executions) > 0 {
		return true, nil
	}
	return s.frozenInBatch(ctx, dataset)
}

// frozenInBatch asks the batch evaluators that have a frozen member
// (usually none, so this is one listing) whether the dataset is one.
func (s sloTriage) frozenInBatch(ctx context.Context, dataset string) (bool, error) {
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: workflows.SLOBatchFrozenQuery()}
	for {
		resp, err := s.c.ListWorkflow(ctx, req)
		if err != nil {
			return false, err
		}
		for _, e := range resp.Executions {
			v, err := s.c.QueryWorkflow(ctx, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId(), workflows.StatusQuery)
			var st workflows.SLOBatchStatus
			if err != nil || v.Get(&st) != nil {
				return false, fmt.Errorf("asking %s which of its datasets are frozen: %w", e.GetExecution().GetWorkflowId(), err)
			}
			if m, ok := st.Member(dataset); ok && m.Frozen {
				return true, nil
			}
		}
		if len(resp.NextPageToken) == 0 {
			return false, nil
		}
		req.NextPageToken = resp.NextPageToken
	}
}

// IncidentOpen reports whether triage/<dataset> is running.
func (s sloTriage) IncidentOpen(ctx context.Context, dataset string) (bool, error) {
	resp, err := s.c.DescribeWorkflowExecution(ctx, workflows.TriageWorkflowID(dataset), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return resp.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// ReportSLOBreach starts or joins the triage with reporter "slo:<name>"
// and the SLO's evidence as the description.
func (s sloTriage) ReportSLOBreach(ctx context.Context, b activities.SLOBreach) error {
	var policy workflows.TriagePolicy
	if s.policy != nil {
		policy = s.policy(b.Dataset)
	}
	_, err := workflows.ReportTriage(ctx, s.c, s.taskQueue, workflows.TriageInput{
		Dataset: b.Dataset, Policy: policy,
		Report: workflows.TriageReport{
			Reporter: "slo:" + b.SLO, Severity: b.Severity, Description: b.Description, Source: "slo", ReportedAt: b.At,
		},
	})
	return err
}
