package cli

import (
	"context"
	"fmt"
	"io"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

// sloFreeze says why risky work on a dataset must be approved first: its
// SLO evaluator reports an exhausted error budget. "" means no freeze.
func sloFreeze(ctx context.Context, c client.Client, dataset string) (string, error) {
	reason, err := (&activities.SLOs{Freeze: worker.SLOFreeze(c)}).FreezeReason(ctx, dataset)
	if err != nil {
		return "", fmt.Errorf("checking the SLO freeze of %s: %w", dataset, err)
	}
	return reason, nil
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

// sayIfRunbookHeld tells the person at the terminal, before the start,
// that run id will wait for the owner's approval of step slo-freeze: it
// writes SQL and its dataset is frozen. Like sayIfFrozen, a heads-up
// only; the Runbook workflow holds the run itself.
func (g *globals) sayIfRunbookHeld(ctx context.Context, c client.Client, id string, in workflows.RunbookInput, out io.Writer) {
	if in.Dataset == "" || len(in.Datasets[in.Dataset].SLOs) == 0 || !runbooks.WritesSQL(&in.Runbook, in.Callees) {
		return
	}
	reason, err := sloFreeze(ctx, c, in.Dataset)
	if err != nil {
		fmt.Fprintf(g.opts.Stderr, "warning: %v; the runbook run checks the freeze itself\n", err)
		return
	}
	if reason != "" {
		fmt.Fprintf(out, "%s and runbook %s writes SQL: no step runs until the owner approves with `dre runbook approve %s --step %s --as <approver>`\n",
			reason, in.Runbook.Name, id, workflows.RunbookFreezeStep)
	}
}
