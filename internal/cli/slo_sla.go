package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/slo/slostore"
	"github.com/dre-dev/dre/workflows"
)

// slaReport prints the attainment of every SLO over a calendar month,
// from the readings in the state database and the triage runs Temporal
// remembers.
func (g *globals) slaReport(cmd *cobra.Command, period, format string) error {
	p, err := slo.ParsePeriod(period)
	if err != nil {
		return &usageError{err}
	}
	cfg, c, err := g.sloClient(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	datasets := sloDatasets(cfg.Catalog, "")
	if len(datasets) == 0 {
		return errors.New("no SLOs to report: no dataset in the catalog has slos")
	}
	dsn, err := g.stateDSNOf(cfg)
	if err != nil {
		return err
	}
	store := slostore.New(dsn)
	defer store.Close()
	incidents, err := triageIncidents(cmd.Context(), c, p)
	if err != nil {
		return err
	}
	report, err := slo.SLAReport(cmd.Context(), store, datasets, incidents, p)
	if err != nil {
		return err
	}
	return writeSLAReport(cmd.OutOrStdout(), p, format, report)
}

// triageIncidents lists the triage runs open at some time during p. A
// run of triage/<dataset> is one incident; its ID is the workflow ID and
// the run ID, as the Temporal UI shows them.
func triageIncidents(ctx context.Context, c client.Client, p slo.Period) ([]slo.Incident, error) {
	query := fmt.Sprintf("%s AND StartTime < '%s'", workflows.KindQuery(workflows.KindTriage), p.End.Format(time.RFC3339))
	var out []slo.Incident
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 500, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("listing the triage runs of %s: %w", p, err)
		}
		for _, e := range resp.GetExecutions() {
			wid := e.GetExecution().GetWorkflowId()
			dataset, ok := strings.CutPrefix(wid, workflows.TriageWorkflowID(""))
			if !ok || strings.Contains(dataset, "/") {
				continue // a runbook child of an incident, not an incident
			}
			in := slo.Incident{ID: wid + "@" + e.GetExecution().GetRunId(), Dataset: dataset, Start: e.GetStartTime().AsTime()}
			if e.GetCloseTime() != nil {
				in.End = e.GetCloseTime().AsTime()
			}
			if in.End.IsZero() || !in.End.Before(p.Start) {
				out = append(out, in)
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}

// writeSLAReport prints the report as a Markdown section or CSV.
func writeSLAReport(out io.Writer, p slo.Period, format string, report []slo.Attainment) error {
	rows := [][]string{{"dataset", "slo", "kind", "objective", "attainment", "met", "budget_spent", "good", "total", "incidents", "bad_without_incident"}}
	pct := slo.Percent
	if format == "csv" {
		pct = num
	}
	for _, a := range report {
		attained, met, spent := pct(a.Attainment), yesNo(a.Met()), pct(a.BudgetSpent)
		if a.Total == 0 {
			attained, met, spent = "no readings", "n/a", "no readings"
		}
		rows = append(rows, []string{a.Dataset, a.SLO, a.Kind, pct(a.Objective), attained, met, spent,
			strconv.FormatInt(a.Good, 10), strconv.FormatInt(a.Total, 10), strings.Join(a.Incidents, " "), strconv.Itoa(a.Unexplained)})
	}
	if format == "csv" {
		w := csv.NewWriter(out)
		_ = w.WriteAll(rows)
		return w.Error()
	}
	fmt.Fprintf(out, "## SLA report %s (%s to %s UTC)\n\n", p, p.Start.Format(time.DateOnly), p.End.Add(-time.Second).Format(time.DateOnly))
	writeMarkdown(out, rows)
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
