package cli

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

func newBackfillCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backfill",
		Short: "Recompute a dataset's partitions over a range, exactly once each, validated",
		Long: `backfill rewrites the partitions of a catalog dataset in [--from, --to) with
the rows of its source (the dataset's source.select or source.table in
dre.yaml, or --select), through the durable workflow backfill/<dataset>.
Each partition is replaced in one transaction and recorded in a ledger, so
retries, crashes and restarts never apply it twice. One backfill runs per
dataset at a time; pause, resume, cancel or re-tune it while it runs.

` + backfillExitCodes,
		Example: `  dre backfill plan orders --from 2026-01-01 --to 2026-02-01
  dre backfill start orders --from 2026-01-01 --to 2026-02-01 --concurrency 4 --wait
  dre backfill watch orders
  dre backfill list
  dre backfill status orders --output json
  dre backfill pause orders
  dre backfill set orders --concurrency 8
  dre backfill resume orders
  dre backfill cancel orders`,
	}
	cmd.AddCommand(newBackfillPlanCmd(g), newBackfillStartCmd(g), newBackfillStatusCmd(g), newBackfillSetCmd(g),
		newBackfillWatchCmd(g), newBackfillListCmd(g), newBackfillApproveCmd(g))
	for _, c := range backfillControls {
		cmd.AddCommand(newBackfillControlCmd(g, c))
	}
	return cmd
}

// backfillDataset finds a dataset that can be backfilled, saying what to
// add to dre.yaml when it cannot.
func backfillDataset(cfg *config.Config, name string) (catalog.Dataset, error) {
	ds, err := cfg.Catalog.Lookup(name)
	if err != nil {
		return ds, err
	}
	if ds.Partition == nil {
		return ds, fmt.Errorf("dataset %q has no partition config; add to it in %s:\n    partition:\n      column: <its date or timestamp column>\n      granularity: day   # or hour, month", name, cfg.Path)
	}
	return ds, nil
}

// rangeFlags are --from and --to, read as UTC.
type rangeFlags struct{ from, to string }

func (r *rangeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.from, "from", "", "first partition, inclusive: 2026-01-01, 2026-01-01T15:00 or 2026-01 (UTC)")
	cmd.Flags().StringVar(&r.to, "to", "", "end of the range, exclusive, in the same forms")
}

func (r *rangeFlags) parse() (from, to time.Time, err error) {
	if r.from == "" || r.to == "" {
		return from, to, &usageError{errors.New("--from and --to are required, e.g. --from 2026-01-01 --to 2026-02-01")}
	}
	if from, err = parseBound(r.from); err != nil {
		return from, to, err
	}
	to, err = parseBound(r.to)
	return from, to, err
}

// boundLayouts are the forms --from and --to accept, longest first.
var boundLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02T15", "2006-01-02", "2006-01"}

func parseBound(s string) (time.Time, error) {
	for _, layout := range boundLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &usageError{fmt.Errorf("cannot read %q as a time; use 2026-01-01, 2026-01-01T15:00, 2026-01 or RFC 3339", s)}
}

// backfillStartFlags are the knobs of a backfill run.
type backfillStartFlags struct {
	rangeFlags
	selectFlags
	concurrency, maxAttempts int
	sel, onFailure           string
	budget, tolerance        float64
	validate, validateSQL    string
	follow, ignoreFreeze     bool
	cascade                  bool
}

func newBackfillStartCmd(g *globals) *cobra.Command {
	var f backfillStartFlags
	cmd := &cobra.Command{
		Use:   "start <dataset> --from <time> --to <time>",
		Short: "Start the backfill of a dataset's partitions in [--from, --to)",
		Long: `start starts backfill/<dataset> and prints its Temporal UI link. A second
backfill of the same dataset is refused while one runs. With --budget the
run estimates its cost first and, above the budget, waits for
"dre backfill approve". The dataset's backfill.budget in the worker's
dre.yaml applies however the run was started: a larger --budget, or none,
does not lift it. It waits for that approval too while the dataset's
SLO error budget is exhausted (dre slo status): the workflow checks that
itself, however it was started, and the approval is the override.

A --select runs as the dataset's backfill.select_role in dre.yaml, a
PostgreSQL role that may read only the upstream tables; without one the
run waits for that approval too. A --select that copies a PII-tagged
column into a target column not tagged as PII is refused before anything
is written. The worker checks both, however the run was started.

--only missing leaves out partitions the ledger shows written by an earlier
backfill from the same source; --only failed redoes those an earlier run
failed (--of <run-id>, by default the last run over the range);
--partitions lists the partitions to rewrite; --order newest fixes recent
data first. With --publish wap (or validation.mode: wap in dre.yaml, the
default when the dataset declares validation checks) each partition's new
rows are staged, checked (rowcount or checksum, and dre.yaml's not_null,
unique, accepted_values and sql checks), and published only if they pass;
a partition that fails keeps its old rows and the report says why, with
the old and new row counts. With
--wait it shows progress until the run ends:
a live bar with rate and ETA on a terminal, a plain line per change
otherwise; then the report.

` + cascadeHelp + `

` + backfillExitCodes,
		Example: `  dre backfill start orders --from 2026-01-01 --to 2026-02-01
  dre backfill start orders --from 2026-01-01 --to 2026-02-01 --concurrency 8 --wait
  dre backfill start orders --from 2026-01 --to 2026-03 --on-failure skip --validate rowcount --tolerance 0.01
  dre backfill start orders --from 2026-11-01 --to 2026-12-01 --only missing --order newest
  dre backfill start orders --from 2026-11-01 --to 2026-12-01 --only failed --of <run-id>
  dre backfill start orders --partitions 2026-11-03,2026-11-07 --publish wap
  dre backfill start orders --from 2026-01-01 --to 2026-01-08 --select "SELECT * FROM staging.orders WHERE order_date >= {{ .From }} AND order_date < {{ .To }}"
  dre backfill start raw_orders --cascade --from 2026-01-01 --to 2026-02-01 --budget 5e6 --wait
  dre backfill pause raw_orders --cascade
  dre backfill approve raw_orders --cascade --sign ~/.ssh/id_ed25519.pub`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.cascade {
				cfg, in, err := f.cascadeInput(cmd, g, args[0])
				if err != nil {
					return err
				}
				return g.startCascade(cmd, cfg, in, f.follow)
			}
			cfg, in, err := f.input(g, args[0])
			if err != nil {
				return err
			}
			return g.startBackfill(cmd, cfg, in, f.follow, !f.ignoreFreeze)
		},
	}
	f.rangeFlags.register(cmd)
	f.selectFlags.register(cmd)
	cmd.Flags().IntVar(&f.concurrency, "concurrency", workflows.BackfillDefaultConcurrency, fmt.Sprintf("partitions rewritten at once (1 to %d)", workflows.BackfillMaxConcurrency))
	cmd.Flags().StringVar(&f.sel, "select", "", "SELECT producing one partition, reading {{ .From }} and {{ .To }} like dre.yaml sources (default: the dataset's source in dre.yaml); runs as the dataset's backfill.select_role, else waits for approval")
	cmd.Flags().Float64Var(&f.budget, "budget", 0, "estimated cost above which the run waits for approval (PostgreSQL planner units, BigQuery bytes); 0: none")
	cmd.Flags().StringVar(&f.onFailure, "on-failure", workflows.BackfillStop, "stop at the first failed partition, or skip it and go on")
	cmd.Flags().IntVar(&f.maxAttempts, "max-attempts", 3, "attempts at one partition before it counts as failed")
	cmd.Flags().StringVar(&f.validate, "validate", "", "check each partition: rowcount, checksum or sql")
	cmd.Flags().Float64Var(&f.tolerance, "tolerance", 0, "with --validate rowcount, the relative difference allowed (0.01 = 1%)")
	cmd.Flags().StringVar(&f.validateSQL, "validate-sql", "", "with --validate sql, a SELECT reading {{ .From }} and {{ .To }} that returns the partition's violations")
	cmd.Flags().BoolVar(&f.follow, "wait", false, "show progress until the backfill ends, then its report")
	cmd.Flags().BoolVar(&f.cascade, "cascade", false, "also backfill every dataset downstream of this one, in dependency order, pipelined")
	cmd.Flags().BoolVar(&f.ignoreFreeze, "ignore-slo-freeze", false, "deprecated: the workflow holds a frozen dataset itself")
	_ = cmd.Flags().MarkDeprecated("ignore-slo-freeze", "the backfill workflow holds a dataset whose SLO error budget is spent, whoever starts it; approve the held run with `dre backfill approve <dataset>`")
	// --follow is the flag's first name, kept for scripts that use it.
	cmd.Flags().BoolVar(&f.follow, "follow", false, "the same as --wait")
	_ = cmd.Flags().MarkHidden("follow")
	return cmd
}

// input builds the workflow input from the flags and the catalog.
func (f *backfillStartFlags) input(g *globals, dataset string) (*config.Config, workflows.BackfillInput, error) {
	var from, to time.Time
	var err error
	if f.partitions == "" || f.rangeFlags != (rangeFlags{}) {
		if from, to, err = f.parse(); err != nil {
			return nil, workflows.BackfillInput{}, err
		}
	}
	if err := f.checkSQLFlags(g.opts.Stderr); err != nil {
		return nil, workflows.BackfillInput{}, err
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, workflows.BackfillInput{}, err
	}
	ds, err := backfillDataset(cfg, dataset)
	if err != nil {
		return nil, workflows.BackfillInput{}, err
	}
	in := workflows.BackfillInput{
		Dataset: ds, From: from, To: to, Select: f.sel, Concurrency: f.concurrency, Requester: g.cliActor(),
		OnFailure: f.onFailure, MaxAttempts: f.maxAttempts, Budget: f.budget,
		Validation: workflows.BackfillValidation{Kind: f.validate, Tolerance: f.tolerance, SQL: f.validateSQL},
	}
	return cfg, in, f.selectFlags.apply(&in)
}

// startBackfill starts the run, refusing a second one per dataset.
func (g *globals) startBackfill(cmd *cobra.Command, cfg *config.Config, in workflows.BackfillInput, follow, checkFreeze bool) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	c, err := dialTemporal(ctx, cfg, g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	if checkFreeze {
		g.sayIfFrozen(ctx, c, in.Dataset.Name, out)
	}
	sayIfSelectHeld(in, out)
	run, err := workflows.StartBackfill(ctx, c, cfg.Temporal.TaskQueue, in)
	var running *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &running) {
		id := workflows.BackfillWorkflowID(in.Dataset.Name)
		return refused("a backfill of %s is already running (%s); follow it with `dre backfill watch %s` or cancel it with `dre backfill cancel %s`",
			in.Dataset.Name, g.runURL(cfg.Temporal.Namespace, id, running.RunId), in.Dataset.Name, in.Dataset.Name)
	}
	if err != nil {
		return fmt.Errorf("starting the backfill: %w", err)
	}
	fmt.Fprintf(out, "started %s: %s\n", run.GetID(), g.runURL(cfg.Temporal.Namespace, run.GetID(), run.GetRunID()))
	if !follow {
		return nil
	}
	return followBackfill(ctx, c, run, out)
}

// sayIfSelectHeld tells the user up front that a --select of a dataset
// without a select role will wait for an approval (the workflow holds it
// either way; the worker's dre.yaml, not this one, has the last word).
func sayIfSelectHeld(in workflows.BackfillInput, out io.Writer) {
	if in.Select == "" || in.DryRun || in.Dataset.SelectRole() != "" {
		return
	}
	fmt.Fprintf(out, "--select: %s has no backfill.select_role in dre.yaml, so the SELECT would run with the worker's full privileges; "+
		"the backfill waits for an approval (dre backfill approve %s)\n", in.Dataset.Name, in.Dataset.Name)
}

// checkSQLFlags refuses a --select or --validate-sql the backfill could
// not render, and warns on stderr about one that reads its bounds the
// deprecated way (@from and @to), saying what to write instead.
func (f *backfillStartFlags) checkSQLFlags(stderr io.Writer) error {
	for _, flag := range []struct{ name, text string }{{"--select", f.sel}, {"--validate-sql", f.validateSQL}} {
		if flag.text == "" {
			continue
		}
		if _, err := catalog.ExpandBounds(flag.text, "@from", "@to"); err != nil {
			return &usageError{fmt.Errorf("%s: %v", flag.name, err)}
		}
		if warning := catalog.BoundsWarning(flag.text); warning != "" {
			fmt.Fprintf(stderr, "warning: %s: %s\n", flag.name, warning)
		}
	}
	return nil
}
