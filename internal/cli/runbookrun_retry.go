package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/workflows"
)

func newRunbookRetryCmd(g *globals) *cobra.Command {
	var from string
	var wait bool
	cmd := &cobra.Command{
		Use:   "retry <workflow-id>",
		Short: "Run a failed runbook run again from one of its steps, keeping the results before it",
		Long: `retry reads a run's input from its history and its step results from its status
query, then starts a new run with the same definition, inputs and datasets that
runs --from (default: the step that failed) and every step after it. Steps before
it are not run again: later steps see the results they had. --from must be a
top-level step.`,
		Example: `  dre runbook retry runbook/stale-table/orders/20260102T150405.000000
  dre runbook retry runbook/stale-table/orders/20260102T150405.000000 --from backfill --wait`,
		Args: exactArgs(1, "the workflow ID of the run to retry"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			in, err := retryInput(cmd.Context(), c, args[0], from)
			c.Close()
			if err != nil {
				return err
			}
			id := args[0] + "-retry-" + time.Now().UTC().Format("150405.000000")
			return (&runbookStarter{g: g, cfg: cfg, out: cmd.OutOrStdout()}).start(cmd.Context(), id, in, wait)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the top-level step to start from (default: the one that failed)")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the new run to end and print its steps")
	return cmd
}

// retryInput is the input of run id, set to start from the step from
// with the results its steps had.
func retryInput(ctx context.Context, c client.Client, id, from string) (workflows.RunbookInput, error) {
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !iter.HasNext() {
		return workflows.RunbookInput{}, fmt.Errorf("run %s has no history; check the ID with dre runbook status", id)
	}
	first, err := iter.Next()
	if err != nil {
		return workflows.RunbookInput{}, fmt.Errorf("reading the history of %s: %w", id, err)
	}
	started := first.GetWorkflowExecutionStartedEventAttributes()
	if started.GetWorkflowType().GetName() != workflows.RunbookWorkflowName {
		return workflows.RunbookInput{}, fmt.Errorf("%s is a %s run, not a runbook run", id, started.GetWorkflowType().GetName())
	}
	var in workflows.RunbookInput
	if err := converter.GetDefaultDataConverter().FromPayloads(started.GetInput(), &in); err != nil {
		return in, fmt.Errorf("reading the input of %s: %w", id, err)
	}
	status, err := queryRunbook(ctx, c, id)
	if err != nil {
		return in, err
	}
	if from == "" {
		from = status.FailedStep
	}
	if from == "" {
		return in, fmt.Errorf("run %s has no failed step (it is %s); name the step to start from with --from", id, status.Status)
	}
	in.StartFrom, in.Prior = from, status.Steps
	return in, nil
}

// queryRunbook asks a run, running or closed, for its status.
func queryRunbook(ctx context.Context, c client.Client, id string) (workflows.RunbookStatus, error) {
	var status workflows.RunbookStatus
	v, err := c.QueryWorkflow(ctx, id, "", workflows.StatusQuery)
	if err == nil {
		err = v.Get(&status)
	}
	if err != nil {
		return status, fmt.Errorf("asking %s for its status (is a dre worker running?): %w", id, err)
	}
	return status, nil
}

func newRunbookStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "status <workflow-id>",
		Short:   "Print the steps of a runbook run with their state and results",
		Example: `  dre runbook status runbook/stale-table/orders/20260102T150405.000000`,
		Args:    exactArgs(1, "the workflow ID of a runbook run"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			status, err := queryRunbook(cmd.Context(), c, args[0])
			if err != nil {
				return err
			}
			printSteps(cmd.OutOrStdout(), status)
			return nil
		},
	}
}
