package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/slo/slostore"
	"github.com/dre-dev/dre/workflows"
)

func newSLOChartCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "chart <dataset> --out burn.svg",
		Short: "Draw a dataset's error budget and burn rate over time as SVG",
		Long: `chart draws, for each SLO of the dataset, the error budget left and the
burn rate over the fast page window across the SLO's whole window, from the
readings in the state database (reconstructed ones included, see dre slo
backfill-history), with the 14.4× page and 1× ticket factors as dashed
lines. Without a state database it draws the evaluator's recent history
(the last 288 evaluations). Open the file in a browser.`,
		Example: `  dre slo chart orders --out burn.svg
  dre slo chart orders --out - > burn.svg`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			statuses, missing, err := g.sloStatuses(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return fmt.Errorf("%s is not evaluated yet; run dre slo schedule sync and wait for an interval", args[0])
			}
			series, err := g.chartSeries(cmd.Context(), statuses[0])
			if err != nil {
				return err
			}
			title := fmt.Sprintf("%s: error budget burn (%s)", args[0], statuses[0].Status)
			return writeChart(cmd.OutOrStdout(), out, title, series)
		},
	}
	cmd.Flags().StringVar(&out, "out", "burn.svg", "the SVG file to write; - for stdout")
	return cmd
}

// chartSeries reads each SLO's readings over its window from the state
// database, or, without one, takes the evaluator's recent history.
func (g *globals) chartSeries(ctx context.Context, st workflows.SLOEvalStatus) ([]slo.Series, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	var series []slo.Series
	if !cfg.State.DSN.IsSet() && !cfg.State.Embedded {
		for _, s := range st.SLOs {
			series = append(series, slo.Series{Name: s.Name, Points: s.History})
		}
		return series, nil
	}
	dsn, err := g.stateDSNOf(cfg)
	if err != nil {
		return nil, err
	}
	store := slostore.New(dsn)
	defer store.Close()
	ds, err := cfg.Catalog.Lookup(st.Dataset)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, def := range ds.SLOs {
		pts, err := storedPoints(ctx, store, ds.Name, def, now)
		if err != nil {
			return nil, err
		}
		series = append(series, slo.Series{Name: def.Name, Points: pts})
	}
	return series, nil
}

// storedPoints charts one SLO's window ending now; the window before it
// feeds the first points' budgets.
func storedPoints(ctx context.Context, store *slostore.Store, dataset string, def catalog.SLO, now time.Time) ([]slo.Point, error) {
	o := slo.Objective{Target: def.Objective, Window: def.Window.Duration, Interval: def.Interval.Duration}
	from := now.Add(-o.Window)
	obs, err := store.Since(ctx, dataset, def.Name, from.Add(-o.Window))
	if err != nil {
		return nil, err
	}
	fast := slo.ScaleRules(slo.WorkbookRules, o.Interval)[0].Long
	return slo.Points(obs, o, fast, from), nil
}

// writeChart writes the SVG to stdout (out "-") or to the file out.
func writeChart(stdout io.Writer, out, title string, series []slo.Series) error {
	if out == "-" {
		return slo.ChartSVG(stdout, title, series)
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("writing the chart: %w", err)
	}
	if err := slo.ChartSVG(f, title, series); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing the chart to %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the chart to %s: %w", out, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", out)
	return nil
}
