package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/workflows"
)

func newSLOStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status [dataset]",
		Short: "Show each SLO's SLI, objective, budget left and burn rates",
		Long: `status asks the evaluators (slo-eval/<dataset>) for their latest
evaluation: the SLI over the window, the objective, the error budget left,
the burn rate over every alert window and the alert level. A dataset shown
as frozen has spent its budget: backfills and runbook SQL on it should wait
for an approval.`,
		Example: `  dre slo status
  dre slo status orders`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			statuses, missing, err := g.sloStatuses(cmd.Context(), firstArg(args))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, st := range statuses {
				printSLOStatus(out, st)
			}
			if len(missing) > 0 {
				fmt.Fprintf(out, "not evaluated yet: %s (run dre slo schedule sync)\n", strings.Join(missing, ", "))
			}
			return nil
		},
	}
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// printSLOStatus prints one dataset's SLOs as a table.
func printSLOStatus(out io.Writer, st workflows.SLOEvalStatus) {
	fmt.Fprintf(out, "%s: %s (%d rounds; %d pages, %d tickets)\n", st.Dataset, st.Status, st.Rounds, st.Pages, st.Tickets)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SLO\tKIND\tOBJECTIVE\tWINDOW\tSLI\tBUDGET LEFT\tLEVEL\tBURN RATES")
	for _, s := range st.SLOs {
		burns := slo.BurnSummary(s.Last.Burns)
		if s.Error != "" {
			burns += " (last attempt failed: " + s.Error + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, slo.Percent(s.Objective.Target), catalog.Duration{Duration: s.Objective.Window},
			slo.Percent(s.Last.SLI), slo.Percent(s.Last.BudgetLeft), s.Level, burns)
	}
	_ = tw.Flush()
}

func newSLOReportCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Report every SLO as a Markdown table or CSV",
		Long: `report prints one row per SLO of every evaluated dataset: objective,
window, SLI, budget left, the burn rates over the long windows of the fast
page, slow page and ticket rules (scaled to the SLO's interval), the alert
level and whether the dataset is frozen.`,
		Example: `  dre slo report
  dre slo report --format csv > slo-$(date +%F).csv`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "md" && format != "csv" {
				return &usageError{fmt.Errorf("--format must be md or csv, not %q", format)}
			}
			statuses, missing, err := g.sloStatuses(cmd.Context(), "")
			if err != nil {
				return err
			}
			rows := sloReportRows(statuses)
			if format == "csv" {
				w := csv.NewWriter(cmd.OutOrStdout())
				_ = w.WriteAll(rows)
				return w.Error()
			}
			writeMarkdown(cmd.OutOrStdout(), rows)
			if len(missing) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "\nNot evaluated yet: %s.\n", strings.Join(missing, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md (Markdown table) or csv")
	return cmd
}

// sloReportRows is the report as a header and one row per SLO.
func sloReportRows(statuses []workflows.SLOEvalStatus) [][]string {
	rows := [][]string{{"dataset", "slo", "kind", "objective", "window", "sli", "budget_left", "burn_fast", "burn_slow", "burn_ticket", "level", "frozen", "evaluated_at"}}
	for _, st := range statuses {
		for _, s := range st.SLOs {
			r := slo.ScaleRules(slo.WorkbookRules, s.Objective.Interval)
			rows = append(rows, []string{
				st.Dataset, s.Name, s.Kind, num(s.Objective.Target), catalog.Duration{Duration: s.Objective.Window}.String(), num(s.Last.SLI), num(s.Last.BudgetLeft),
				num(s.Last.BurnOver(r[0].Long)), num(s.Last.BurnOver(r[1].Long)), num(s.Last.BurnOver(r[2].Long)),
				string(s.Level), strconv.FormatBool(st.Frozen), s.Last.At.UTC().Format(time.RFC3339),
			})
		}
	}
	return rows
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

// writeMarkdown prints rows as a GitHub-flavoured Markdown table.
func writeMarkdown(out io.Writer, rows [][]string) {
	for i, r := range rows {
		fmt.Fprintf(out, "| %s |\n", strings.Join(r, " | "))
		if i == 0 {
			fmt.Fprintf(out, "|%s\n", strings.Repeat("---|", len(r)))
		}
	}
}
