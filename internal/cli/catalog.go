package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/config"
)

func newCatalogCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Inspect and check the dataset catalog in dre.yaml",
		Example: `  dre catalog lint dre.yaml
  dre catalog list
  dre catalog check orders
  dre catalog import dbt --manifest target/manifest.json --warehouse analytics`,
	}
	cmd.AddCommand(newCatalogLintCmd(g), newCatalogListCmd(g), newCatalogSchemaCmd(), newCatalogCheckCmd(g), newCatalogImportCmd(g))
	return cmd
}

func newCatalogLintCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [dre.yaml ...]",
		Short: "Check config files and list every problem with file:line:column; exit 1 if any",
		Long: `lint checks the structure, types and references of dre.yaml files without
connecting anywhere and without reading secrets, so it runs in CI. Every problem
is listed, each with file:line:column and the key, and the exit code is 1 when
there is any.`,
		Example: `  dre catalog lint dre.yaml
  dre catalog lint deploy/*.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				if p := g.configPath(false); p != "" {
					args = []string{p}
				} else {
					return &usageError{errors.New("name the files to lint: dre catalog lint dre.yaml")}
				}
			}
			failed := 0
			for _, path := range args {
				_, err := config.Load(path, g.opts.Env, config.LoadOptions{AllowEmbedded: true})
				if err != nil {
					fmt.Fprintln(cmd.OutOrStdout(), err)
					failed++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", path)
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d files have problems", failed, len(args))
			}
			return nil
		},
	}
}

func newCatalogListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the catalog's datasets",
		Example: "  dre catalog list --config dre.yaml",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DATASET\tWAREHOUSE\tTABLE\tPARTITION\tOWNER")
			for _, name := range cfg.Catalog.Names() {
				ds, _ := cfg.Catalog.Lookup(name)
				partition := "-"
				if ds.Partition != nil {
					partition = fmt.Sprintf("%s by %s", ds.Partition.Column, ds.Partition.Granularity)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ds.Name, ds.Warehouse, ds.Table, partition, ds.Owner.Team)
			}
			return tw.Flush()
		},
	}
}

func newCatalogSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of dre.yaml, for editor completion and checks",
		Example: `  dre catalog schema > dre.schema.json
  # then, first line of dre.yaml for the YAML language server:
  # yaml-language-server: $schema=./dre.schema.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(config.Schema)
			return err
		},
	}
}
