package cli

import (
	"context"
	"fmt"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

// sloFreeze says why risky work on a dataset must be approved first: its
// SLO evaluator reports an exhausted error budget. "" means no freeze.
func sloFreeze(ctx context.Context, c client.Client, dataset string) (string, error) {
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: workflows.SLOFrozenQuery(dataset), PageSize: 1})
	if err != nil {
		return "", fmt.Errorf("checking the SLO freeze of %s (skip with --ignore-slo-freeze): %w", dataset, err)
	}
	if len(resp.Executions) == 0 {
		return "", nil
	}
	return fmt.Sprintf("the SLO error budget of %s is exhausted", dataset), nil
}
