package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

// runbookRunFlags are the options of dre runbook run.
type runbookRunFlags struct {
	dataset   string
	inputs    []string
	paths     []string
	dryRun    bool
	wait      bool
	requester string
	// ignoreFreeze is deprecated and does nothing: the workflow holds a
	// frozen dataset's run for the owner's approval.
	ignoreFreeze bool
}

func newRunbookRunCmd(g *globals) *cobra.Command {
	var f runbookRunFlags
	cmd := &cobra.Command{
		Use:   "run <runbook>",
		Short: "Run a runbook as a durable workflow, or print its plan with --dry-run",
		Long: `run starts the workflow runbook/<name>/<dataset>/<start time>, which runs the
runbook's steps one by one; each step shows up under its name in the Temporal UI.
--dataset sets the runbook's first input of type dataset; --input sets the others.
The run carries the runbook's definition and the catalog entries it needs, so it
replays what it started with even if the files change.

--dry-run prints every step with its SQL and texts rendered from the inputs (results
of earlier steps are not known yet and show as zero values) and starts nothing.`,
		Example: `  dre runbook run stale-table --dataset orders --dry-run
  dre runbook run stale-table --dataset orders --input max_wait=30m --wait
  dre runbook run my-fix --runbooks ops/runbooks --dataset events`,
		Args: exactArgs(1, "one runbook name (see dre runbook list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runRunbook(cmd, args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.dataset, "dataset", "", "the dataset the runbook is about (its first dataset input)")
	cmd.Flags().StringArrayVar(&f.inputs, "input", nil, "an input as name=value; repeat for more")
	cmd.Flags().StringArrayVar(&f.paths, "runbooks", nil, "runbook files or directories besides the stock ones (default ./runbooks)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the plan and start nothing")
	cmd.Flags().BoolVar(&f.wait, "wait", false, "wait for the run to end and print its steps")
	cmd.Flags().StringVar(&f.requester, "requester", "", "who asks for the run (default cli:$USER)")
	cmd.Flags().BoolVar(&f.ignoreFreeze, "ignore-slo-freeze", false, "deprecated: the runbook workflow holds a frozen dataset itself")
	_ = cmd.Flags().MarkDeprecated("ignore-slo-freeze", "the runbook workflow holds a run that writes SQL on a dataset whose SLO error budget is spent, whoever starts it; "+
		"the owner lets it go on with `dre runbook approve <run id> --step slo-freeze --as <approver>`")
	return cmd
}

// runRunbook resolves a run's input from the runbooks and the catalog,
// then prints its plan or starts it.
func (g *globals) runRunbook(cmd *cobra.Command, name string, f runbookRunFlags) error {
	set, problems, err := loadRunbookSet(f.paths)
	if err != nil {
		return err
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	req, err := runbookRequest(name, f)
	if err != nil {
		return err
	}
	if req.Requester == "" {
		req.Requester = g.cliActor()
	}
	in, err := workflows.PrepareRunbook(workflows.RunbookSet{Runbooks: set, Catalog: cfg.Catalog, WarehouseKinds: cfg.WarehouseKinds()}, req)
	if err != nil {
		return err
	}
	problems = append(problems, runbooks.Lint(set, cfg.Catalog.Names())...)
	if err := lintedClean(cmd.ErrOrStderr(), in, problems); err != nil {
		return err
	}
	if f.dryRun {
		return printRunbookPlan(cmd.OutOrStdout(), in)
	}
	key := time.Now().UTC().Format("20060102T150405.000000")
	id := workflows.RunbookWorkflowID(in.Runbook.Name, in.Dataset, key)
	return (&runbookStarter{g: g, cfg: cfg, out: cmd.OutOrStdout()}).start(cmd.Context(), id, in, f.wait)
}

// runbookRequest reads the flags of dre runbook run: --input name=value
// gives the inputs, --dataset the first dataset input.
func runbookRequest(name string, f runbookRunFlags) (workflows.RunbookRequest, error) {
	req := workflows.RunbookRequest{Runbook: name, Dataset: f.dataset, Inputs: map[string]string{}, Requester: f.requester}
	for _, kv := range f.inputs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return req, &usageError{fmt.Errorf("--input %q: write name=value", kv)}
		}
		req.Inputs[k] = v
	}
	return req, nil
}

// printRunbookPlan prints what a run would do.
func printRunbookPlan(out io.Writer, in workflows.RunbookInput) error {
	plan, err := workflows.PlanRunbook(in)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Plan of runbook %s on %s (definition %.12s); dry run, nothing is started.\n", in.Runbook.Name, noneIfEmpty(in.Dataset), in.Hash)
	for _, k := range slices.Sorted(maps.Keys(in.Inputs)) {
		fmt.Fprintf(out, "  input %s = %s\n", k, in.Inputs[k])
	}
	for i, s := range plan {
		pad := strings.Repeat("    ", s.Depth)
		fmt.Fprintf(out, "%s%d. %s [%s] %s\n", pad, i+1, s.ID, s.Kind, s.Name)
		if s.When != "" {
			fmt.Fprintf(out, "%s     when %s\n", pad, s.When)
		}
		for _, d := range s.Detail {
			fmt.Fprintf(out, "%s     %s\n", pad, strings.ReplaceAll(d, "\n", "\n"+pad+"     "))
		}
	}
	return nil
}

// noneIfEmpty shows an empty value as "-".
func noneIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// lintedClean refuses to run a runbook that lint finds problems in (in its
// own file or in a runbook it calls): CI should have caught them, and a
// run would fail part-way instead.
func lintedClean(w io.Writer, in workflows.RunbookInput, problems runbooks.Problems) error {
	files := map[string]bool{in.Runbook.Source.File: true}
	for _, callee := range in.Callees {
		files[callee.Source.File] = true
	}
	n := 0
	for _, p := range problems {
		if files[p.File] {
			fmt.Fprintln(w, p)
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("runbook %s has %d lint problems (above); fix them, then run again (dre runbook lint checks them)", in.Runbook.Name, n)
	}
	return nil
}
