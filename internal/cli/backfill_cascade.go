package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// cascadeHelp explains --cascade in the help of start and plan.
const cascadeHelp = `With --cascade the dataset and every dataset downstream of it (the upstream:
entries of the worker's dre.yaml) are backfilled in one run,
backfill-cascade/<dataset>: each downstream dataset over the partitions
covering the range at its own granularity (a monthly model recomputes the
months holding the days), one cost plan for all of them, one approval when
the total is over --budget or any of them is frozen (allowed for every
dataset by authz), then one backfill/<dataset> per dataset, where each
downstream partition starts as soon as the upstream partitions it reads are
written. With --wait it prints one line per dataset when the cascade ends.
pause, resume, cancel, approve and status take --cascade too and act on the
whole cascade.`

// cascadeUnsupported are the start flags a cascade does not take: each
// dataset is rewritten from its own catalog source, in full.
var cascadeUnsupported = []string{"select", "only", "of", "partitions", "order", "publish", "validate", "validate-sql", "tolerance"}

// cascadeInput builds a cascade's input from the flags, refusing those a
// cascade cannot honour.
func (f *backfillStartFlags) cascadeInput(cmd *cobra.Command, g *globals, dataset string) (*config.Config, workflows.BackfillCascadeInput, error) {
	for _, name := range cascadeUnsupported {
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.Changed {
			return nil, workflows.BackfillCascadeInput{}, &usageError{fmt.Errorf("--%s does not go with --cascade: every dataset of a cascade is rewritten in full from its own source in dre.yaml", name)}
		}
	}
	from, to, err := f.parse()
	if err != nil {
		return nil, workflows.BackfillCascadeInput{}, err
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, workflows.BackfillCascadeInput{}, err
	}
	if _, err := backfillDataset(cfg, dataset); err != nil {
		return nil, workflows.BackfillCascadeInput{}, err
	}
	return cfg, workflows.BackfillCascadeInput{
		Dataset: dataset, From: from, To: to, Concurrency: f.concurrency, OnFailure: f.onFailure,
		MaxAttempts: f.maxAttempts, Budget: f.budget, Requester: g.cliActor(),
	}, nil
}

// startCascade starts the cascade, or its plan with in.DryRun, and with
// wait (or a plan) prints how it ended.
func (g *globals) startCascade(cmd *cobra.Command, cfg *config.Config, in workflows.BackfillCascadeInput, wait bool) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	c, err := dialTemporal(ctx, cfg, g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	run, err := workflows.StartBackfillCascade(ctx, c, cfg.Temporal.TaskQueue, in)
	var running *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &running) {
		return refused("a cascade from %s is already running; follow it with `dre backfill status %s --cascade` or cancel it with `dre backfill cancel %s --cascade`",
			in.Dataset, in.Dataset, in.Dataset)
	}
	if err != nil {
		return fmt.Errorf("starting the cascade: %w", err)
	}
	fmt.Fprintf(out, "started %s: %s\n", run.GetID(), g.runURL(cfg.Temporal.Namespace, run.GetID(), run.GetRunID()))
	if !wait && !in.DryRun {
		return nil
	}
	return waitCascade(cmd, run)
}

// waitCascade waits for the cascade and prints its report, exiting 3 when
// any partition was not written.
func waitCascade(cmd *cobra.Command, run client.WorkflowRun) error {
	var s workflows.BackfillCascadeStatus
	if err := run.Get(cmd.Context(), &s); err != nil {
		return fmt.Errorf("the cascade failed: %w", err)
	}
	printCascade(cmd.OutOrStdout(), s)
	switch s.Status {
	case workflows.BackfillDone, workflows.BackfillPlanned:
		return nil
	case workflows.BackfillNotApproved:
		return refused("the cascade was not approved; nothing was written")
	}
	return &exitCodeError{code: exitPartial, err: fmt.Errorf("the cascade ended %s", s.Status)}
}

// printCascade prints one line per dataset, in dependency order, and the
// cascade's cost.
func printCascade(out io.Writer, s workflows.BackfillCascadeStatus) {
	fmt.Fprintf(out, "cascade from %s, %s to %s: %s\n", s.Dataset, s.From.UTC().Format("2006-01-02T15:04Z"), s.To.UTC().Format("2006-01-02T15:04Z"), s.Status)
	fmt.Fprintf(out, "  %-24s %-8s %-22s %6s %6s %6s %7s %14s  %s\n", "DATASET", "GRAIN", "RANGE", "PARTS", "DONE", "FAILED", "BLOCKED", "EST. COST", "READS")
	for _, d := range s.Datasets {
		cost := 0.0
		if d.Plan != nil {
			cost = d.Plan.Amount
		}
		span := workflows.PartitionLabel(d.Granularity, d.From) + ".." + workflows.PartitionLabel(d.Granularity, d.To)
		fmt.Fprintf(out, "  %-24s %-8s %-22s %6d %6d %6d %7d %14.1f  %s\n", d.Dataset, d.Granularity, span, d.Total, d.Done, d.Failed, d.Blocked, cost, strings.Join(d.Upstream, ","))
	}
	line := fmt.Sprintf("  estimated cost of the whole cascade: %.1f", s.Amount)
	if s.Budget > 0 {
		line += fmt.Sprintf(" (budget %.1f)", s.Budget)
	}
	if s.Approver != "" {
		line += ", approved by " + s.Approver
	}
	fmt.Fprintln(out, line)
}

// updateCascade sends a control update to a cascade and prints its status.
func (g *globals) updateCascade(cmd *cobra.Command, dataset, update string, args ...any) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	var s workflows.BackfillCascadeStatus
	running, err := updateRun(cmd.Context(), c, workflows.BackfillCascadeWorkflowID(dataset), update, args, &s)
	switch {
	case !running:
		return fmt.Errorf("no cascade from %s is running; start one with `dre backfill start %s --cascade --from ... --to ...`", dataset, dataset)
	case err != nil:
		return refused("%s of the cascade from %s refused: %w", update, dataset, err)
	}
	printCascade(cmd.OutOrStdout(), s)
	return nil
}

// cascadeStatus prints a cascade's status, running or finished.
func (g *globals) cascadeStatus(cmd *cobra.Command, dataset string) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	v, err := c.QueryWorkflow(cmd.Context(), workflows.BackfillCascadeWorkflowID(dataset), "", workflows.StatusQuery)
	var s workflows.BackfillCascadeStatus
	if err == nil {
		err = v.Get(&s)
	}
	if err != nil {
		return fmt.Errorf("no status for a cascade from %s (start one with `dre backfill start %s --cascade`): %w", dataset, dataset, err)
	}
	printCascade(cmd.OutOrStdout(), s)
	return nil
}
