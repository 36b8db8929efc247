package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/slo"
)

func newSLOChartCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "chart <dataset> --out burn.svg",
		Short: "Draw a dataset's error budget and burn rate over time as SVG",
		Long: `chart draws, for each SLO of the dataset, the error budget left and the
burn rate over the fast page window across the evaluator's recent history
(the last 288 evaluations), with the 14.4× page and 1× ticket factors as
dashed lines. Open the file in a browser.`,
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
			var series []slo.Series
			for _, s := range statuses[0].SLOs {
				series = append(series, slo.Series{Name: s.Name, Points: s.History})
			}
			title := fmt.Sprintf("%s: error budget burn (%s)", args[0], statuses[0].Status)
			if out == "-" {
				return slo.ChartSVG(cmd.OutOrStdout(), title, series)
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
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "burn.svg", "the SVG file to write; - for stdout")
	return cmd
}
