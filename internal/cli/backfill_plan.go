package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

func newBackfillPlanCmd(g *globals) *cobra.Command {
	var f backfillStartFlags
	cmd := &cobra.Command{
		Use:   "plan <dataset> --from <time> --to <time>",
		Short: "List the partitions a backfill would rewrite and estimate their cost, writing nothing",
		Long: `plan runs the backfill as a dry run (workflow backfill-plan/<dataset>): it
lists the partitions of [--from, --to) and estimates each one's SELECT with
the warehouse (PostgreSQL EXPLAIN, BigQuery dry-run bytes). Nothing is written.
Ranges over 500 partitions show the first 500 and extrapolate the total.
With --only, --partitions and --order it lists the partitions that mode
would rewrite, in the order it would, and how many of the range it leaves out.

With --cascade it plans the dataset and every dataset downstream of it
(workflow backfill-cascade-plan/<dataset>): one line per dataset with its
partitions at its own granularity, what it reads, and its estimated cost,
then the whole cascade's cost, which --budget is compared with.`,
		Example: `  dre backfill plan orders --from 2026-01-01 --to 2026-02-01
  dre backfill plan orders --from 2026-11-01 --to 2026-12-01 --only missing
  dre backfill plan orders --from 2026-11-01 --to 2026-12-01 --only failed --order newest
  dre backfill plan orders --partitions 2026-11-03,2026-11-07
  dre backfill plan raw_orders --cascade --from 2026-01-01 --to 2026-02-01`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.cascade {
				cfg, in, err := f.cascadeInput(cmd, g, args[0])
				if err != nil {
					return err
				}
				in.DryRun = true
				return g.startCascade(cmd, cfg, in, true)
			}
			cfg, in, err := f.input(g, args[0])
			if err != nil {
				return err
			}
			in.DryRun = true
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			run, err := workflows.StartBackfill(cmd.Context(), c, cfg.Temporal.TaskQueue, in)
			var running *serviceerror.WorkflowExecutionAlreadyStarted
			if errors.As(err, &running) {
				id := workflows.BackfillPlanWorkflowID(in.Dataset.Name)
				return fmt.Errorf("a plan of %s is already being made (%s); wait for it", in.Dataset.Name, g.runURL(cfg.Temporal.Namespace, id, running.RunId))
			}
			if err != nil {
				return fmt.Errorf("starting the plan: %w", err)
			}
			return printPlan(cmd, run)
		},
	}
	f.rangeFlags.register(cmd)
	f.selectFlags.register(cmd)
	cmd.Flags().StringVar(&f.sel, "select", "", "SELECT producing one partition, reading {{ .From }} and {{ .To }} like dre.yaml sources (default: the dataset's source in dre.yaml)")
	cmd.Flags().BoolVar(&f.cascade, "cascade", false, "plan this dataset and every dataset downstream of it")
	return cmd
}

// printPlan waits for the dry run and prints one line per partition.
func printPlan(cmd *cobra.Command, run client.WorkflowRun) error {
	var r workflows.BackfillReport
	if err := run.Get(cmd.Context(), &r); err != nil {
		return fmt.Errorf("planning failed: %w", err)
	}
	out := cmd.OutOrStdout()
	if r.Plan == nil {
		return fmt.Errorf("the plan came back empty (status %s)", r.Status)
	}
	fmt.Fprintf(out, "%-22s %12s %14s %14s\n", "PARTITION START", "EST. ROWS", "COST UNITS", "BYTES")
	for _, p := range r.Plan.Partitions {
		fmt.Fprintf(out, "%-22s %12d %14.1f %14d\n", p.Start.UTC().Format("2006-01-02T15:04Z"), p.Cost.Rows, p.Cost.Units, p.Cost.Bytes)
	}
	printPlanTotal(out, r)
	return nil
}

func printPlanTotal(out io.Writer, r workflows.BackfillReport) {
	how := "estimated"
	if r.Plan.Extrapolated {
		how = fmt.Sprintf("extrapolated from the first %d", len(r.Plan.Partitions))
	}
	t := r.Plan.Total
	fmt.Fprintf(out, "%d partitions of %s, %s: %d rows, %.1f cost units, %d bytes. Nothing was written.\n",
		r.Total, r.Table, how, t.Rows, t.Units, t.Bytes)
	if r.Plan.Skipped > 0 {
		fmt.Fprintf(out, "%d partitions of the range are left out by the selection (--only, --partitions).\n", r.Plan.Skipped)
	}
}
