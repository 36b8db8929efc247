package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/runbooks"
)

// localRunbooks is where a project keeps its own runbooks when no paths
// are given.
const localRunbooks = "runbooks"

func newRunbookCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runbook",
		Short: "Check, list and run runbooks: YAML steps run by a durable workflow",
		Example: `  dre runbook lint
  dre runbook list
  dre runbook run stale-table --dataset orders --dry-run
  dre runbook run stale-table --dataset orders --wait
  dre runbook status runbook/stale-table/orders/20260102T150405.000000
  dre runbook approve runbook/stale-table/orders/20260102T150405.000000 --step slo-freeze --sign ~/.ssh/id_ed25519.pub
  dre runbook retry runbook/stale-table/orders/20260102T150405.000000 --from backfill
  dre runbook schema > runbook.schema.json`,
	}
	cmd.AddCommand(newRunbookLintCmd(g), newRunbookListCmd(g), newRunbookSchemaCmd(),
		newRunbookRunCmd(g), newRunbookRetryCmd(g), newRunbookStatusCmd(g), newRunbookApproveCmd(g))
	return cmd
}

func newRunbookLintCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [file or directory ...]",
		Short: "Check runbooks and list every problem with file:line:column; exit 1 if any",
		Long: `lint checks runbooks the way CI should: structure, references, expression
types, unreachable steps, runbooks calling each other in a loop, and destructive
SQL without an approval before it. The runbooks named (default: ./runbooks, when
it exists) are checked together with the stock runbooks, which they may call or
replace by name. When a dre.yaml is found (--config, $DRE_CONFIG, ./dre.yaml or
the one dre dev wrote), dataset names are checked against its catalog.`,
		Example: `  dre runbook lint                      # ./runbooks and the stock runbooks
  dre runbook lint ops/runbooks late.yaml
  dre runbook lint --config deploy/dre.yaml runbooks/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.lintRunbooks(cmd.OutOrStdout(), args)
		},
	}
}

// lintRunbooks lints the runbooks at paths with the stock ones, printing
// every problem, or how many runbooks are fine.
func (g *globals) lintRunbooks(out io.Writer, paths []string) error {
	set, problems, err := loadRunbookSetWith(paths, runbooks.LoadForLint)
	if err != nil {
		return err
	}
	datasets, err := g.catalogDatasets()
	if err != nil {
		return err
	}
	problems = append(problems, runbooks.Lint(set, datasets)...)
	for _, p := range problems {
		fmt.Fprintln(out, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problems in runbooks", len(problems))
	}
	fmt.Fprintf(out, "%d runbooks ok\n", len(set))
	return nil
}

func newRunbookListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list [file or directory ...]",
		Short: "List runbooks: name, description, inputs (* required) and source file",
		Example: `  dre runbook list
  dre runbook list ops/runbooks`,
		RunE: func(cmd *cobra.Command, args []string) error {
			set, problems, err := loadRunbookSet(args)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUNBOOK\tDESCRIPTION\tINPUTS\tSOURCE")
			for _, rb := range set {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rb.Name, summary(rb.Description), inputList(rb.Inputs), rb.Source.File)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(problems) > 0 {
				return &problems
			}
			return nil
		},
	}
}

func newRunbookSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of runbook files, for editor completion and checks",
		Example: `  dre runbook schema > runbook.schema.json
  # then, first line of a runbook for the YAML language server:
  # yaml-language-server: $schema=./runbook.schema.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(runbooks.Schema)
			return err
		},
	}
}

// loadRunbookSet loads the runbooks at paths (default ./runbooks, when it
// exists) and adds the stock runbooks whose names they do not take. The
// problems are those of the files that did not parse.
func loadRunbookSet(paths []string) ([]*runbooks.Runbook, runbooks.Problems, error) {
	return loadRunbookSetWith(paths, runbooks.Load)
}

// loadRunbookSetWith is loadRunbookSet reading the files with load: lint
// uses runbooks.LoadForLint, which keeps the runbooks that did not parse
// as drafts, to report all their problems.
func loadRunbookSetWith(paths []string, load func(...string) ([]*runbooks.Runbook, error)) ([]*runbooks.Runbook, runbooks.Problems, error) {
	if len(paths) == 0 {
		if info, err := os.Stat(localRunbooks); err == nil && info.IsDir() {
			paths = []string{localRunbooks}
		}
	}
	var problems runbooks.Problems
	var set []*runbooks.Runbook
	if len(paths) > 0 {
		var err error
		set, err = load(paths...)
		var ps *runbooks.Problems
		if errors.As(err, &ps) {
			problems = *ps
		}
	}
	set, err := withStock(set)
	return set, problems, err
}

// withStock adds to set the stock runbooks whose names it does not take:
// a project may replace a stock runbook with its own version.
func withStock(set []*runbooks.Runbook) ([]*runbooks.Runbook, error) {
	stock, err := runbooks.Stock()
	if err != nil {
		return nil, fmt.Errorf("stock runbooks: %w", err)
	}
	taken := map[string]bool{}
	for _, rb := range set {
		taken[rb.Name] = true
	}
	for _, rb := range stock {
		if !taken[rb.Name] {
			set = append(set, rb)
		}
	}
	return set, nil
}

// catalogDatasets returns the dataset names of the catalog when a config
// is found, and nil (no catalog to check against) when none is.
func (g *globals) catalogDatasets() ([]string, error) {
	path := g.configPath(true)
	if path == "" {
		return nil, nil
	}
	cfg, err := config.Load(path, g.opts.Env, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		return nil, fmt.Errorf("the catalog to check runbooks against:\n%w", err)
	}
	return cfg.Catalog.Names(), nil
}

// summary is the first line of a description, cut to a table cell.
func summary(description string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(description), "\n")
	if r := []rune(line); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return line
}

// inputList renders inputs as "dataset*, max_wait=2h": * marks the
// required ones, = gives defaults.
func inputList(inputs []runbooks.Input) string {
	if len(inputs) == 0 {
		return "-"
	}
	parts := make([]string, len(inputs))
	for i, in := range inputs {
		switch {
		case in.Required:
			parts[i] = in.Name + "*"
		case in.Default != "":
			parts[i] = in.Name + "=" + in.Default
		default:
			parts[i] = in.Name
		}
	}
	return strings.Join(parts, ", ")
}
