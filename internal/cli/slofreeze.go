package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

// sloFreeze says why risky work on a dataset must be approved first: its
// SLO evaluator reports an exhausted error budget. "" means no freeze.
func sloFreeze(ctx context.Context, c client.Client, dataset string) (string, error) {
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: workflows.SLOFrozenQuery(dataset), PageSize: 1})
	if err != nil {
		return "", fmt.Errorf("checking the SLO freeze of %s (skip the check with --ignore-slo-freeze): %w", dataset, err)
	}
	if len(resp.Executions) == 0 {
		return "", nil
	}
	return fmt.Sprintf("the SLO error budget of %s is exhausted", dataset), nil
}

// sayIfFrozen tells the person at the terminal, before the start, that
// the backfill will wait for an approval because the dataset is frozen.
// It is only a heads-up: the workflow checks the freeze itself, so a
// failed look-up here is a warning, not a refusal.
func (g *globals) sayIfFrozen(ctx context.Context, c client.Client, dataset string, out io.Writer) {
	reason, err := sloFreeze(ctx, c, dataset)
	if err != nil {
		fmt.Fprintf(g.opts.Stderr, "warning: %v; the backfill checks the freeze itself\n", err)
		return
	}
	if reason != "" {
		fmt.Fprintf(out, "%s: the backfill waits for `dre backfill approve %s` before writing\n", reason, dataset)
	}
}

// writesSQL reports whether a runbook (or a runbook it calls) has a sql
// step, anywhere: in parallel branches and failure handlers too. Such a
// run is risky work that an SLO freeze holds.
func writesSQL(in workflows.RunbookInput) bool {
	if stepsWriteSQL(in.Runbook.Steps) {
		return true
	}
	for _, callee := range in.Callees {
		if stepsWriteSQL(callee.Steps) {
			return true
		}
	}
	return false
}

func stepsWriteSQL(steps []runbooks.Step) bool {
	for _, s := range steps {
		if s.SQL != nil && !readOnlySQL(s.SQL.Statement) || stepsWriteSQL(s.OnFailure.Steps) {
			return true
		}
		if s.Parallel != nil {
			for _, branch := range s.Parallel.Branches {
				if stepsWriteSQL(branch) {
					return true
				}
			}
		}
	}
	return false
}

// readOnlySQL is a plain SELECT: the interpreter runs those through the
// warehouse's Query, in a read-only transaction, so they cannot write.
func readOnlySQL(stmt string) bool {
	fields := strings.Fields(stmt)
	return len(fields) > 0 && strings.EqualFold(fields[0], "SELECT")
}

// refuseFrozenRunbook refuses a runbook that writes SQL on a dataset whose
// SLO error budget is spent, unless the operator said to go ahead.
func refuseFrozenRunbook(ctx context.Context, c client.Client, in workflows.RunbookInput) error {
	if in.Dataset == "" || !writesSQL(in) {
		return nil
	}
	reason, err := sloFreeze(ctx, c, in.Dataset)
	if err != nil || reason == "" {
		return err
	}
	return refused("%s and runbook %s writes SQL; once the dataset's owner agrees, run it again with --ignore-slo-freeze", reason, in.Runbook.Name)
}
