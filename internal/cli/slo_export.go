package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/slo"
)

func newSLOExportCmd(g *globals) *cobra.Command {
	var openslo, promRules bool
	var out string
	cmd := &cobra.Command{
		Use:   "export (--openslo | --prometheus-rules) [dataset] [--out file]",
		Short: "Write the catalog's SLOs as OpenSLO v1 documents or Prometheus rules",
		Long: `export writes the SLOs of every dataset (or one) in one of two formats.

--openslo writes one OpenSLO v1 "SLO" document per SLO, with the dataset as
the service, a rolling time window and a ratio metric. A ratio SLO's good
and total become PostgreSQL or BigQuery metric sources (after the dataset's
warehouse) with the SQL as query, and its interval the dre.dev/interval
annotation; other kinds' sources have type dre and carry the catalog fields.
dre slo import reads the file back.

--prometheus-rules writes a Prometheus rule file over the dre_slo_* gauges
the worker exports on /metrics: recording rules that keep, per SLO, the
values of the worker that evaluated it last, then for every SLO the SRE
workbook's multi-window, multi-burn-rate alerts scaled to its interval
(page: 14.4× over 1h and 5m, 6× over 6h and 30m; ticket: 1× over 72h and
6h), an alert when its evaluation is overdue and one when its error budget
is spent. Load it into Prometheus (rule_files:) to alert from your own
Alertmanager; dre's evaluator keeps paging through triage either way.`,
		Example: `  dre slo export --openslo > slos.yaml
  dre slo export --openslo orders
  dre slo export --prometheus-rules --out /etc/prometheus/rules/dre-slo.yml
  promtool check rules /etc/prometheus/rules/dre-slo.yml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if openslo == promRules {
				return &usageError{errors.New("say which format: --openslo or --prometheus-rules (one of them)")}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			datasets := sloDatasets(cfg.Catalog, firstArg(args))
			if len(datasets) == 0 {
				return fmt.Errorf("no SLOs to export: %s has no slos: in the catalog", orAll(firstArg(args)))
			}
			write := func(w io.Writer) error { return slo.ExportOpenSLO(w, datasets, cfg.WarehouseKinds()) }
			if promRules {
				write = func(w io.Writer) error { return slo.PrometheusRules(w, datasets, slo.WorkbookRules) }
			}
			return writeOut(cmd.OutOrStdout(), out, write)
		},
	}
	cmd.Flags().BoolVar(&openslo, "openslo", false, "write OpenSLO v1 YAML")
	cmd.Flags().BoolVar(&promRules, "prometheus-rules", false, "write a Prometheus rule file (recording and burn-rate alerting rules)")
	cmd.Flags().StringVar(&out, "out", "-", "the file to write; - for stdout")
	return cmd
}

// writeOut runs write on stdout, or on the file path, which it replaces
// only when write succeeds: a failed export never leaves a half-written
// rule file for Prometheus to load.
func writeOut(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "-" || path == "" {
		return write(stdout)
	}
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}

func newSLOImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import <openslo.yaml>",
		Short: "Turn OpenSLO documents into catalog slos: entries",
		Long: `import reads OpenSLO v1 SLO documents and prints, per dataset, the slos:
list to paste into dre.yaml. It takes the documents dre slo export writes
(metric source type dre), and ratioMetric documents whose good and total
sources are PostgreSQL or BigQuery with a query: they become ratio SLOs of
the dataset named by spec.service, with the interval of the dre.dev/interval
annotation (1h without it). The queries read the interval being measured
as {{ .From }} and {{ .To }}; run dre catalog lint after pasting.`,
		Example: `  dre slo import slos.yaml`,
		Args:    exactArgs(1, "one OpenSLO YAML file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			byDataset, err := slo.ImportOpenSLO(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			for _, name := range slices.Sorted(maps.Keys(byDataset)) {
				out, err := yaml.Marshal(map[string]any{"slos": byDataset[name]})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "# dataset %s\n%s", name, out)
			}
			return nil
		},
	}
}
