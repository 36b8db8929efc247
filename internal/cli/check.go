package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

func newCatalogCheckCmd(g *globals) *cobra.Command {
	var watch bool
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "check <dataset>",
		Short: "Probe a dataset (exists, rows, freshness against its SLO) through a durable workflow",
		Long: `check starts the workflow check/<dataset>, which counts the table's rows and
reads the newest value of its freshness column, then judges it against the
dataset's freshness SLO: ok, stale, empty or missing. It also names the
partitions whose latest backfill failed validation and were never
published (PostgreSQL and BigQuery keep that record), with the command that
redoes them.

Exit codes, for CI and cron jobs that gate on the check:
  0  the dataset is ok and no partition is held back unpublished
  1  the dataset is stale, empty or missing, or has unpublished
     partitions, or the check could not run
  2  the command line is wrong

With --watch the workflow keeps checking on a durable timer (it survives
restarts) until it is cancelled, and the command returns at once.`,
		Example: `  dre catalog check orders
  dre catalog check orders --watch --every 10m`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			ds, err := cfg.Catalog.Lookup(args[0])
			if err != nil {
				return err
			}
			in := workflows.CheckInput{Dataset: ds, Watch: watch, Every: every}
			return (&checkStarter{g: g, cfg: cfg, out: cmd.OutOrStdout()}).start(cmd.Context(), in)
		},
	}
	cmd.Flags().BoolVar(&watch, "watch", false, "keep checking every --every until cancelled")
	cmd.Flags().DurationVar(&every, "every", 10*time.Minute, "interval between checks with --watch")
	return cmd
}

// checkStarter starts a check and reports it.
type checkStarter struct {
	g   *globals
	cfg *config.Config
	out io.Writer
}

func (s *checkStarter) start(ctx context.Context, in workflows.CheckInput) error {
	c, err := dialTemporal(ctx, s.cfg, s.g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	run, err := workflows.StartCheck(ctx, c, s.cfg.Temporal.TaskQueue, in)
	var running *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &running) {
		id := workflows.CheckWorkflowID(in.Dataset.Name)
		return fmt.Errorf("a check of %s is already running (%s); cancel it there first", in.Dataset.Name, s.g.runURL(s.cfg.Temporal.Namespace, id, running.RunId))
	}
	if err != nil {
		return fmt.Errorf("starting the check: %w", err)
	}
	fmt.Fprintf(s.out, "started %s: %s\n", run.GetID(), s.g.runURL(s.cfg.Temporal.Namespace, run.GetID(), run.GetRunID()))
	if in.Watch {
		fmt.Fprintf(s.out, "watching %s every %s until cancelled\n", in.Dataset.Name, in.Every)
		return nil
	}
	var result workflows.CheckResult
	if err := run.Get(ctx, &result); err != nil {
		return fmt.Errorf("check of %s failed: %w", in.Dataset.Name, err)
	}
	fmt.Fprintln(s.out, describeCheck(in.Dataset, result))
	return checkVerdict(in.Dataset.Name, result)
}

// checkVerdict is the error, and so exit code 1, of a check that found a
// problem: a status other than ok, or partitions held back unpublished,
// which downstream jobs gating on the check must not read past.
func checkVerdict(dataset string, r workflows.CheckResult) error {
	switch {
	case r.Status != workflows.CheckOK:
		return fmt.Errorf("%s is %s", dataset, r.Status)
	case len(r.Unpublished) == 1:
		return fmt.Errorf("%s has 1 unpublished partition", dataset)
	case len(r.Unpublished) > 1:
		return fmt.Errorf("%s has %d unpublished partitions", dataset, len(r.Unpublished))
	}
	return nil
}

// describeCheck renders a result as one line.
func describeCheck(ds catalog.Dataset, r workflows.CheckResult) string {
	line := fmt.Sprintf("%s (%s): %s, %d rows", ds.Name, ds.Table, r.Status, r.Rows)
	if r.Latest != nil {
		line += fmt.Sprintf(", newest %s %s (lag %s", ds.FreshnessColumn, r.Latest.UTC().Format(time.RFC3339), r.Lag.Round(time.Second))
		if r.MaxLag > 0 {
			line += fmt.Sprintf(", SLO %s", r.MaxLag)
		}
		line += ")"
	}
	if len(r.Unpublished) > 0 {
		line += "\n" + activities.UnpublishedSummary(ds.Name, r.Unpublished)
	}
	return line
}
