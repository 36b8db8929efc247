package worker

import (
	"context"
	"fmt"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/workflows"
)

// AccessLedger gives the deprecation activities the access requests that
// hold access now: the granted, running ones Temporal's visibility finds,
// each asked for its principal and columns by its status query.
func AccessLedger(c client.Client) activities.AccessLedger { return accessLedger{c: c} }

type accessLedger struct{ c client.Client }

// ActiveAccess lists the granted, running access requests on dataset.
func (l accessLedger) ActiveAccess(ctx context.Context, dataset string) ([]activities.ActiveAccess, error) {
	var out []activities.ActiveAccess
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: workflows.ActiveAccessQuery(dataset), PageSize: 100}
	for {
		resp, err := l.c.ListWorkflow(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, e := range resp.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			v, err := l.c.QueryWorkflow(ctx, id, e.GetExecution().GetRunId(), workflows.StatusQuery)
			if err != nil {
				return nil, fmt.Errorf("asking access request %s what it holds: %w", id, err)
			}
			var st workflows.AccessRequestState
			if err := v.Get(&st); err != nil {
				return nil, err
			}
			if st.Status == workflows.AccessGranted {
				out = append(out, activities.ActiveAccess{WorkflowID: id, Principal: st.Principal, Columns: st.Columns})
			}
		}
		if len(resp.GetNextPageToken()) == 0 {
			return out, nil
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
}
