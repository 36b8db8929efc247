package cli

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/slo"
)

func newSLOExportCmd(g *globals) *cobra.Command {
	var openslo bool
	cmd := &cobra.Command{
		Use:   "export --openslo [dataset]",
		Short: "Print the catalog's SLOs as OpenSLO v1 documents",
		Long: `export prints one OpenSLO v1 "SLO" document per SLO (all datasets, or
one), with the dataset as the service, a rolling time window and a ratio
metric whose source has type dre and carries the catalog fields, so that
dre slo import reads the file back.`,
		Example: `  dre slo export --openslo > slos.yaml
  dre slo export --openslo orders`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !openslo {
				return &usageError{errors.New("say which format: --openslo (the only one for now)")}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			datasets := sloDatasets(cfg.Catalog, firstArg(args))
			if len(datasets) == 0 {
				return fmt.Errorf("no SLOs to export: %s has no slos: in the catalog", orAll(firstArg(args)))
			}
			return slo.ExportOpenSLO(cmd.OutOrStdout(), datasets)
		},
	}
	cmd.Flags().BoolVar(&openslo, "openslo", false, "write OpenSLO v1 YAML")
	return cmd
}

func newSLOImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import <openslo.yaml>",
		Short: "Turn OpenSLO documents written by dre slo export back into catalog slos: entries",
		Long: `import reads OpenSLO v1 SLO documents whose metric source has type dre
and prints, per dataset, the slos: list to paste into dre.yaml.`,
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
