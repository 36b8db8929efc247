package gateway

import (
	"context"
	"fmt"
	"strings"
	"time"

	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/uilink"
	"github.com/dre-dev/dre/workflows"
)

// TemporalTriage starts triage workflows on a Temporal cluster.
type TemporalTriage struct {
	Client    client.Client
	TaskQueue string
	// Policy tunes every triage started here (escalation timeouts...),
	// unless Policies gives each dataset its own (dre.yaml triage:).
	Policy   workflows.TriagePolicy
	Policies func(catalog.Dataset) workflows.TriagePolicy
	// UIBase and Namespace build the run link of the opening message.
	UIBase, Namespace string
	// Runbooks prepare the dataset's catalog runbook for the Run runbook
	// button; nil, or a dataset without one, leaves it off.
	Runbooks *workflows.RunbookSet
}

// ReportTriage prepares the report (policy, runbook, run link), then
// signals the dataset's open incident or starts it, in one atomic call
// (workflows.ReportTriage).
func (t TemporalTriage) ReportTriage(ctx context.Context, in workflows.TriageInput) error {
	id := workflows.TriageWorkflowID(in.Dataset.Name)
	in.Policy = t.Policy
	if t.Policies != nil {
		in.Policy = t.Policies(in.Dataset)
	}
	if t.Runbooks != nil && in.Dataset.Runbook != "" && in.Runbook == nil {
		rb, err := workflows.PrepareRunbook(*t.Runbooks, workflows.RunbookRequest{
			Runbook: in.Dataset.Runbook, Dataset: in.Dataset.Name, Requester: "triage:" + in.Dataset.Name})
		if err != nil {
			return fmt.Errorf("dataset %s names runbook %q: %w", in.Dataset.Name, in.Dataset.Runbook, err)
		}
		in.Runbook = &rb
	}
	if in.RunURL == "" && t.Namespace != "" {
		in.RunURL = uilink.Workflow(t.UIBase, t.Namespace, id)
	}
	_, err := workflows.ReportTriage(ctx, t.Client, t.TaskQueue, in)
	return err
}

// SignalOpenTriage passes a report (a resolved alert) to the dataset's
// open incident only; false when none is open.
func (t TemporalTriage) SignalOpenTriage(ctx context.Context, dataset string, r workflows.TriageReport) (bool, error) {
	return workflows.SignalOpenTriage(ctx, t.Client, dataset, r)
}

// SignalRecentTriage delivers r to the dataset's incident if one opened at
// or after since is running.
func (t TemporalTriage) SignalRecentTriage(ctx context.Context, dataset string, since time.Time, r workflows.TriageReport) (bool, error) {
	return workflows.SignalRecentTriage(ctx, t.Client, dataset, since, r)
}

// TemporalRuns lists open dre runs through Temporal's visibility store.
type TemporalRuns struct {
	Client client.Client
}

// maxListedRuns keeps /dre status within one Slack message.
const maxListedRuns = 20

// OpenRuns lists running workflows that carry dre's search attributes.
func (t TemporalRuns) OpenRuns(ctx context.Context, dataset string) ([]RunSummary, error) {
	query := "ExecutionStatus = 'Running' AND DreKind IS NOT NULL"
	if dataset != "" {
		query += fmt.Sprintf(" AND DreDataset = '%s'", strings.ReplaceAll(dataset, "'", ""))
	}
	resp, err := t.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: maxListedRuns})
	if err != nil {
		return nil, err
	}
	out := make([]RunSummary, 0, len(resp.Executions))
	for _, e := range resp.Executions {
		out = append(out, summarize(e))
	}
	return out, nil
}

// summarize reads dre's keyword search attributes off a listed execution.
func summarize(e *workflowpb.WorkflowExecutionInfo) RunSummary {
	s := RunSummary{WorkflowID: e.GetExecution().GetWorkflowId(), RunID: e.GetExecution().GetRunId()}
	fields := e.GetSearchAttributes().GetIndexedFields()
	for name, dst := range map[string]*string{
		workflows.KindKey.GetName(): &s.Kind, workflows.DatasetKey.GetName(): &s.Dataset, workflows.StatusKey.GetName(): &s.Status,
	} {
		if p, ok := fields[name]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, dst)
		}
	}
	return s
}
