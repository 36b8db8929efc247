package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

// backfillControl is one control update exposed as a subcommand.
type backfillControl struct {
	update, short, long string
}

var backfillControls = []backfillControl{
	{workflows.BackfillPauseUpdate, "Pause a backfill: running partitions finish, no new one starts", "dre backfill pause orders"},
	{workflows.BackfillResumeUpdate, "Resume a paused backfill", "dre backfill resume orders"},
	{workflows.BackfillCancelUpdate, "Cancel a backfill: running partitions finish, then it reports what was done", "dre backfill cancel orders"},
	{workflows.BackfillApproveUpdate, "Approve a backfill waiting because its estimated cost is over its budget", "dre backfill approve orders"},
}

func newBackfillControlCmd(g *globals, c backfillControl) *cobra.Command {
	return &cobra.Command{
		Use:     c.update + " <dataset>",
		Short:   c.short,
		Example: "  " + c.long,
		Args:    exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var arg []any
			if c.update == workflows.BackfillApproveUpdate {
				arg = append(arg, g.cliActor()) // a Slack click approves as the Slack user
			}
			return g.updateBackfill(cmd, args[0], c.update, arg...)
		},
	}
}

func newBackfillSetCmd(g *globals) *cobra.Command {
	var concurrency int
	cmd := &cobra.Command{
		Use:     "set <dataset> --concurrency <n>",
		Short:   "Change a running backfill's concurrency",
		Example: "  dre backfill set orders --concurrency 8",
		Args:    exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("concurrency") {
				return &usageError{fmt.Errorf("nothing to set; pass --concurrency N")}
			}
			return g.updateBackfill(cmd, args[0], workflows.BackfillConcurrencyUpdate, concurrency)
		},
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, fmt.Sprintf("partitions rewritten at once (1 to %d)", workflows.BackfillMaxConcurrency))
	return cmd
}

// updateBackfill sends a control update and prints the status it returns.
// The workflow's validator answers a control that makes no sense now.
func (g *globals) updateBackfill(cmd *cobra.Command, dataset, update string, args ...any) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	if _, err := cfg.Catalog.Lookup(dataset); err != nil {
		return err
	}
	c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	h, err := c.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{
		WorkflowID: workflows.BackfillWorkflowID(dataset), UpdateName: update, Args: args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var s workflows.BackfillStatus
	if err == nil {
		err = h.Get(cmd.Context(), &s)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("no backfill of %s is running; start one with `dre backfill start %s --from ... --to ...`", dataset, dataset)
	}
	if err != nil {
		return refused("%s of the %s backfill refused: %w", update, dataset, err)
	}
	fmt.Fprintln(cmd.OutOrStdout(), backfillLine(s))
	return nil
}

func newBackfillStatusCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status <dataset>",
		Short: "Show a backfill's progress: done, failed, running, pending, rows, rate, ETA",
		Example: `  dre backfill status orders
  dre backfill status orders --output json`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if _, err := cfg.Catalog.Lookup(args[0]); err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := queryBackfill(cmd.Context(), c, workflows.BackfillWorkflowID(args[0]), "")
			if err != nil {
				return fmt.Errorf("no status for a backfill of %s (start one with `dre backfill start %s`): %w", args[0], args[0], err)
			}
			return printBackfillStatus(cmd, s, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printBackfillStatus(cmd *cobra.Command, s workflows.BackfillStatus, output string) error {
	out := cmd.OutOrStdout()
	switch strings.ToLower(output) {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	case "text", "":
		fmt.Fprintln(out, backfillLine(s))
		for _, f := range s.Failures {
			fmt.Fprintf(out, "  failed %s: %s\n", f.Start.UTC().Format("2006-01-02T15:04Z"), f.Reason)
		}
		return nil
	}
	return &usageError{fmt.Errorf("unknown --output %q; use text or json", output)}
}
