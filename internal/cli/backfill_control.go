package cli

import (
	"context"
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
}

// newBackfillApproveCmd approves a backfill held over budget or by an
// SLO freeze, as a signed decision.
func newBackfillApproveCmd(g *globals) *cobra.Command {
	var who decider
	var cascade bool
	cmd := &cobra.Command{
		Use:   "approve <dataset>",
		Short: "Approve a backfill held because its cost is over budget or its dataset's SLO is frozen",
		Long: `Approve a backfill that waits for approval: its estimated cost is over its
budget, or the dataset's error budget is spent (an SLO freeze). Who may is
the worker's authz.rules.backfill.approve (over budget; default anyone who
proves who they are) or authz.rules.backfill.override_freeze (a freeze;
default the dataset's owner team and approvers) in dre.yaml; whoever
requested the backfill may not approve it. The approval is audited.

` + signingHelp,
		Example: `  dre backfill approve orders --sign ~/.ssh/id_ed25519.pub --note "INC-42 fix"
  DRE_SIGNING_KEY=SHA256:abc... dre backfill approve orders --as bob`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			id := workflows.BackfillWorkflowID(args[0])
			if cascade {
				id = workflows.BackfillCascadeWorkflowID(args[0])
			}
			by, proof, err := g.proof(cfg, cmd.ErrOrStderr(), id, workflows.BackfillApproveUpdate, args[0], who)
			if err != nil {
				return fmt.Errorf("approve %s: %w", id, err)
			}
			if cascade {
				return g.updateCascade(cmd, args[0], workflows.BackfillApproveUpdate, workflows.BackfillApproval{By: by, Note: who.note, Proof: proof})
			}
			return g.updateBackfill(cmd, args[0], workflows.BackfillApproveUpdate, workflows.BackfillApproval{By: by, Note: who.note, Proof: proof})
		},
	}
	addDeciderFlags(cmd, &who)
	cmd.Flags().BoolVar(&cascade, "cascade", false, "approve the cascade from this dataset (backfill-cascade/<dataset>), for every dataset in it")
	return cmd
}

func newBackfillControlCmd(g *globals, c backfillControl) *cobra.Command {
	var cascade bool
	cmd := &cobra.Command{
		Use:     c.update + " <dataset>",
		Short:   c.short,
		Example: "  " + c.long + "\n  " + c.long + " --cascade",
		Args:    exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cascade {
				return g.updateCascade(cmd, args[0], c.update)
			}
			return g.updateBackfill(cmd, args[0], c.update)
		},
	}
	cmd.Flags().BoolVar(&cascade, "cascade", false, "act on the cascade from this dataset (backfill-cascade/<dataset>) and every backfill in it")
	return cmd
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
	var s workflows.BackfillStatus
	running, err := updateRun(cmd.Context(), c, workflows.BackfillWorkflowID(dataset), update, args, &s)
	switch {
	case !running:
		return fmt.Errorf("no backfill of %s is running; start one with `dre backfill start %s --from ... --to ...`", dataset, dataset)
	case err != nil:
		return refused("%s of the %s backfill refused: %w", update, dataset, err)
	}
	fmt.Fprintln(cmd.OutOrStdout(), backfillLine(s))
	return nil
}

// updateRun sends update to the run id and waits for its result, which
// it decodes into result; running is false when no such run is open.
func updateRun(ctx context.Context, c client.Client, id, update string, args []any, result any) (running bool, err error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: update, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return false, nil
	}
	return true, err
}

func newBackfillStatusCmd(g *globals) *cobra.Command {
	var output string
	var cascade bool
	cmd := &cobra.Command{
		Use:   "status <dataset>",
		Short: "Show a backfill's progress: done, failed, running, pending, rows, rate, ETA",
		Example: `  dre backfill status orders
  dre backfill status orders --output json
  dre backfill status raw_orders --cascade`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cascade {
				return g.cascadeStatus(cmd, args[0])
			}
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
	cmd.Flags().BoolVar(&cascade, "cascade", false, "the status of the cascade from this dataset, one line per dataset")
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
