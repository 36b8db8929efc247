package slosync

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/dre-dev/dre/workflows"
)

// batchStates is the status of every running batch evaluator, by batch.
type batchStates map[string]workflows.SLOBatchStatus

// homes maps each batched dataset to its batch.
func (b batchStates) homes() map[string]string {
	out := map[string]string{}
	for name, st := range b {
		for _, m := range st.Datasets {
			out[m.Dataset] = name
		}
	}
	return out
}

// member finds a dataset's state in the batch that holds it.
func (b batchStates) member(dataset string) (workflows.SLOEvalStatus, string, bool) {
	for name, st := range b {
		if m, ok := st.Member(dataset); ok {
			return m, name, true
		}
	}
	return workflows.SLOEvalStatus{}, "", false
}

// RunningBatches lists the running batch evaluators and asks each for
// its status; dre slo status reads its members from there.
func RunningBatches(ctx context.Context, c Client) (map[string]workflows.SLOBatchStatus, error) {
	return runningBatches(ctx, c)
}

func runningBatches(ctx context.Context, c Client) (batchStates, error) {
	ids, err := listRunning(ctx, c, workflows.KindSLOBatch)
	if err != nil {
		return nil, err
	}
	out := batchStates{}
	for _, id := range ids {
		v, err := c.QueryWorkflow(ctx, id, "", workflows.StatusQuery)
		if isNotFound(err) {
			continue // ended since the listing
		}
		var st workflows.SLOBatchStatus
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil {
			return nil, fmt.Errorf("asking %s for its members (is a dre worker running?): %w", id, err)
		}
		out[st.Batch] = st
	}
	return out, nil
}

// runningPerDataset is the set of datasets whose own evaluator runs.
func runningPerDataset(ctx context.Context, c Client) (map[string]bool, error) {
	ids, err := listRunning(ctx, c, workflows.KindSLOEval)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, id := range ids {
		out[strings.TrimPrefix(id, workflows.SLOEvalWorkflowID(""))] = true
	}
	return out, nil
}

// perDatasetStatus asks a dataset's own evaluator for its state; found
// is false when it has ended since the listing.
func perDatasetStatus(ctx context.Context, c Client, dataset string) (st workflows.SLOEvalStatus, found bool, err error) {
	v, err := c.QueryWorkflow(ctx, workflows.SLOEvalWorkflowID(dataset), "", workflows.StatusQuery)
	if isNotFound(err) {
		return st, false, nil
	}
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		return st, false, fmt.Errorf("asking slo-eval/%s for its state to hand over (is a dre worker running?): %w", dataset, err)
	}
	return st, true, nil
}

// listRunning lists the IDs of the running workflows of a DreKind.
func listRunning(ctx context.Context, c Client, kind string) ([]string, error) {
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: workflows.KindQuery(kind) + " AND ExecutionStatus = 'Running'"}
	var ids []string
	for {
		resp, err := c.ListWorkflow(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("listing the running %s workflows: %w", kind, err)
		}
		for _, e := range resp.Executions {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if len(resp.NextPageToken) == 0 {
			return ids, nil
		}
		req.NextPageToken = resp.NextPageToken
	}
}
