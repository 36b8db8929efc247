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
		Long: `status asks the evaluators (slo-eval/<dataset>, or the batch that holds
the dataset under slo.batch) for their latest
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
	if b := st.Bootstrap; b != nil {
		fmt.Fprintf(out, "  history reconstructed from the warehouse at %s (%s): %s\n", b.At.UTC().Format(time.RFC3339), b.Request, bootstrapSummary(b))
	}
}

// bootstrapSummary says what the latest history bootstrap stored, or why
// it failed.
func bootstrapSummary(b *workflows.SLOBootstrap) string {
	if b.Error != "" {
		return "failed: " + b.Error
	}
	parts := make([]string, 0, len(b.SLOs))
	for _, h := range b.SLOs {
		if h.Skipped != "" {
			parts = append(parts, h.SLO+" skipped ("+h.Skipped+")")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d readings stored, %d bad", h.SLO, h.Stored, h.Bad))
	}
	return strings.Join(parts, "; ")
}

func newSLOReportCmd(g *globals) *cobra.Command {
	var format, period string
	cmd := &cobra.Command{
		Use:   "report [--period YYYY-MM] [-o markdown|csv]",
		Short: "Report every SLO now, or its attainment over a calendar month for an SLA review",
		Long: `Without --period, report prints one row per SLO of every evaluated
dataset, as its evaluator sees it now: objective, window, SLI, budget left,
the burn rates over the long windows of the fast page, slow page and ticket
rules (scaled to the SLO's interval), the alert level and whether the
dataset is frozen.

With --period YYYY-MM, it reports the calendar month (UTC) for the monthly
SLA review: per SLO the share of good readings (the attainment), whether
it met its objective, the share of the month's error budget spent, and the
incidents (runs of triage/<dataset>, as workflow ID@run ID) during which,
or in the run of bad readings leading up to which, it read bad.
bad_without_incident counts bad readings no incident covers. It reads the
readings from the state database (state.dsn) and the incidents from
Temporal's visibility, so incidents older than the namespace's retention
are missing.`,
		Example: `  dre slo report
  dre slo report --format csv > slo-$(date +%F).csv
  dre slo report --period 2026-11
  dre slo report --period 2026-11 -o csv > sla-2026-11.csv`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "md", "markdown":
				format = "md"
			case "csv":
			default:
				return &usageError{fmt.Errorf("--format (-o) must be markdown (md) or csv, not %q", format)}
			}
			if period != "" {
				return g.slaReport(cmd, period, format)
			}
			return g.sloNowReport(cmd, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "o", "md", "markdown (or md) table, or csv")
	cmd.Flags().StringVar(&period, "period", "", "a calendar month, YYYY-MM: report attainment and incidents over it")
	return cmd
}

// sloNowReport prints the evaluators' latest evaluation of every SLO.
func (g *globals) sloNowReport(cmd *cobra.Command, format string) error {
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
