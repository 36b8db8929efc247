package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage/dbt"
)

// importHeader starts every file dre catalog import writes; --out only
// overwrites a file that starts with it, so it never clobbers a
// hand-written dre.yaml.
const importHeader = "# Datasets imported by dre catalog import"

func newCatalogImportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write catalog datasets, with their upstream lineage, from another tool's metadata",
		Example: `  dre catalog import dbt --manifest target/manifest.json --warehouse analytics
  dre catalog import dbt --manifest target/manifest.json --warehouse analytics --out dbt-datasets.yaml`,
	}
	cmd.AddCommand(newCatalogImportDbtCmd(g))
	return cmd
}

// dbtImportFlags are dre catalog import dbt's flags.
type dbtImportFlags struct {
	manifest, warehouse, out string
}

func newCatalogImportDbtCmd(g *globals) *cobra.Command {
	var f dbtImportFlags
	cmd := &cobra.Command{
		Use:   "dbt --manifest target/manifest.json --warehouse NAME [--out FILE]",
		Short: "Write a dataset for each dbt model, seed, snapshot and source, with upstream from depends_on",
		Long: `dbt reads a dbt manifest (schema v9 to v12: dbt Core 1.5 and later, which
dbt parse, compile and build write to target/manifest.json) and writes a
datasets: list for dre.yaml. Each model, seed, snapshot and source with a
table becomes a dataset in --warehouse:

  table            relation_name (or schema and alias); the database is kept
                   in the dbt_database label, so a raw source and an analytics
                   model with one schema and name stay two datasets
  owner            meta owner or team, slack_channel, pagerduty_service;
                   else the owner of the model's group
  partition        BigQuery partition_by, or a microbatch model's event_time
                   and batch_size
  unique_key       config unique_key, when it names plain columns
  lifecycle        deprecation_date, as a deprecation that archives the table
  upstream         depends_on; through an ephemeral model, its own ancestors

What cannot be carried over is listed on stderr. The output is printed, or
written to --out (a new file, or one an earlier import wrote); merge its
datasets: into dre.yaml and run dre catalog lint.`,
		Example: `  dbt parse && dre catalog import dbt --manifest target/manifest.json --warehouse analytics
  dre catalog import dbt --manifest target/manifest.json --warehouse lake --out dbt-datasets.yaml`,
		Args: exactArgs(0, "no arguments; name the manifest with --manifest"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.importDbt(cmd, f)
		},
	}
	cmd.Flags().StringVar(&f.manifest, "manifest", "", "the dbt manifest to read, like target/manifest.json (required)")
	cmd.Flags().StringVar(&f.warehouse, "warehouse", "", "the dre.yaml warehouse holding the tables (required)")
	cmd.Flags().StringVar(&f.out, "out", "", "write the datasets to this file instead of stdout")
	return cmd
}

// importDbt runs dre catalog import dbt.
func (g *globals) importDbt(cmd *cobra.Command, f dbtImportFlags) error {
	if f.manifest == "" || f.warehouse == "" {
		return &usageError{errors.New("--manifest and --warehouse are required: dre catalog import dbt --manifest target/manifest.json --warehouse NAME")}
	}
	existing, err := g.checkImportWarehouse(f.warehouse)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(f.manifest)
	if err != nil {
		return fmt.Errorf("reading the manifest: %w; run dbt parse first, or pass --manifest", err)
	}
	res, err := dbt.Import(data, f.warehouse)
	if err != nil {
		return fmt.Errorf("%s: %w", f.manifest, err)
	}
	if problems := catalog.ValidateAll(res.Datasets, []string{f.warehouse}); len(problems) > 0 {
		return fmt.Errorf("the imported datasets would not load, which is a bug in dre: %v", problems)
	}
	yamlText, err := importYAML(res, f.manifest)
	if err != nil {
		return err
	}
	if err := writeImport(cmd.OutOrStdout(), f.out, yamlText); err != nil {
		return err
	}
	reportImport(cmd.ErrOrStderr(), res, existing, f)
	return nil
}

// checkImportWarehouse requires warehouse to be configured when a
// dre.yaml is found, and returns the names of its datasets. Without a
// dre.yaml (a new project) there is nothing to check against.
func (g *globals) checkImportWarehouse(warehouse string) ([]string, error) {
	if g.configPath(false) == "" {
		return nil, nil
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	if _, ok := cfg.Warehouses[warehouse]; !ok {
		return nil, &usageError{fmt.Errorf("warehouse %q is not in %s; configured warehouses: %s", warehouse, cfg.Path, strings.Join(cfg.WarehouseNames(), ", "))}
	}
	return cfg.Catalog.Names(), nil
}

// importYAML renders the datasets under a header saying where they came from.
func importYAML(res dbt.Result, manifest string) ([]byte, error) {
	body, err := yaml.MarshalWithOptions(map[string]any{"datasets": res.Datasets}, yaml.IndentSequence(true))
	if err != nil {
		return nil, fmt.Errorf("rendering the datasets: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s dbt from %s (manifest schema v%d).\n", importHeader, manifest, res.Version)
	b.WriteString("# Merge this datasets: list into dre.yaml, then run dre catalog lint.\n")
	b.Write(body)
	return b.Bytes(), nil
}

// writeImport prints text, or writes it to out when out is set: a new
// file, or one an earlier import wrote.
func writeImport(stdout io.Writer, out string, text []byte) error {
	if out == "" {
		_, err := stdout.Write(text)
		return err
	}
	old, err := os.ReadFile(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading %s: %w", out, err)
	case !bytes.HasPrefix(old, []byte(importHeader)):
		return fmt.Errorf("%s exists and was not written by dre catalog import, so it is left alone; pass a new --out file and merge its datasets: into %s", out, out)
	}
	if err := os.WriteFile(out, text, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

// reportImport tells the user on stderr what was imported and what not.
func reportImport(w io.Writer, res dbt.Result, existing []string, f dbtImportFlags) {
	edges := 0
	var clash []string
	for _, d := range res.Datasets {
		edges += len(d.Upstream)
		if slices.Contains(existing, d.Name) {
			clash = append(clash, d.Name)
		}
	}
	for _, warning := range res.Warnings {
		fmt.Fprintln(w, "warning:", warning)
	}
	where := "stdout"
	if f.out != "" {
		where = f.out
	}
	fmt.Fprintf(w, "imported %d datasets with %d upstream edges from manifest schema v%d into %s\n", len(res.Datasets), edges, res.Version, where)
	if len(clash) > 0 {
		fmt.Fprintf(w, "already in dre.yaml, so merge these by hand: %s\n", strings.Join(clash, ", "))
	}
}
