package worker

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/workflows"
)

// ActiveAccessGrants gives the access reconciler the grants of the
// running access requests, from Temporal: visibility finds the running
// AccessRequest workflows, and each one's input (the first event of its
// history) says the principal and columns. The input is read rather than
// the status query so that a request whose worker is stuck still counts.
func ActiveAccessGrants(c client.Client) activities.ActiveAccessGrants { return activeGrants{c: c} }

type activeGrants struct{ c client.Client }

// runningAccessRequests selects every running access request.
var runningAccessRequests = workflows.KindQuery(workflows.KindAccessRequest) + ` AND ExecutionStatus = "Running"`

// ActiveAccessGrants lists the running access requests' grants.
func (a activeGrants) ActiveAccessGrants(ctx context.Context) ([]activities.ActiveGrant, error) {
	var out []activities.ActiveGrant
	var token []byte
	for {
		resp, err := a.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: runningAccessRequests, NextPageToken: token})
		if err != nil {
			return nil, err
		}
		for _, e := range resp.Executions {
			g, err := a.grantOf(ctx, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId())
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return out, nil
		}
	}
}

// grantOf reads what one request asks for from its start event.
func (a activeGrants) grantOf(ctx context.Context, id, runID string) (activities.ActiveGrant, error) {
	it := a.c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return activities.ActiveGrant{}, fmt.Errorf("access request %s has no history", id)
	}
	first, err := it.Next()
	if err != nil {
		return activities.ActiveGrant{}, fmt.Errorf("reading access request %s: %w", id, err)
	}
	started := first.GetWorkflowExecutionStartedEventAttributes()
	var in workflows.AccessRequestInput
	if started == nil || converter.GetDefaultDataConverter().FromPayloads(started.GetInput(), &in) != nil {
		return activities.ActiveGrant{}, fmt.Errorf("access request %s: its first event does not carry an AccessRequestInput", id)
	}
	return activities.ActiveGrant{Dataset: in.Dataset.Name, Principal: in.Principal, Columns: in.Columns, WorkflowID: id}, nil
}
