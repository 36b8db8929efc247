package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// lineageFlags are dre lineage's flags.
type lineageFlags struct {
	upstream, downstream, views bool
	depth                       int
	output                      string
	jobs                        string // window of job history to read; "" for none
}

func newLineageCmd(g *globals) *cobra.Command {
	var f lineageFlags
	cmd := &cobra.Command{
		Use:   "lineage <dataset>",
		Short: "Show what a dataset is computed from and what is computed from it",
		Long: `lineage walks the dependency graph of the catalog: the upstream: entries of
dre.yaml (written by hand or by dre catalog import dbt). Both directions are
shown unless --upstream or --downstream picks one; --depth limits how many
edges away to go (0: all the way).

The text output has one row per table: its depth (negative upstream,
positive downstream), name, table and owner. -o json gives the same as
nodes and edges; -o dot draws it with Graphviz (dot -Tsvg) and -o mermaid
as a Mermaid flowchart, which GitHub and many wikis draw in place.

--views also asks each PostgreSQL warehouse what its views read (pg_depend)
and merges those edges in; edges learnt that way are marked postgres-views.
It connects with the warehouse's dsn, so its secret must be set.

--jobs 30d also reads each BigQuery warehouse's job history
(region-<location>.INFORMATION_SCHEMA.JOBS of every usage_projects and
usage_regions entry) over that window and merges what successful jobs
wrote from what: INSERT, MERGE, CREATE TABLE AS SELECT, UPDATE, and
SELECTs given a destination table (not the anonymous result tables of
plain queries). Edges learnt that way are marked bigquery-jobs, with the
number of jobs and the latest (-o json), and tables of other projects
show as project.dataset.table outside the catalog. It needs
bigquery.jobs.listAll on each project. Each edge lists every source it
was learnt from: declared, postgres-views, bigquery-jobs.`,
		Example: `  dre lineage orders
  dre lineage raw_orders --downstream --depth 2
  dre lineage orders --upstream -o mermaid
  dre lineage orders -o dot | dot -Tsvg > orders.svg
  dre lineage orders --views -o json
  dre lineage orders --jobs 30d -o mermaid`,
		Args: exactArgs(1, "one dataset name (see dre catalog list) or a schema.table an upstream: entry names"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.showLineage(cmd, args[0], f)
		},
	}
	cmd.Flags().BoolVar(&f.upstream, "upstream", false, "only what the dataset is computed from")
	cmd.Flags().BoolVar(&f.downstream, "downstream", false, "only what is computed from the dataset")
	cmd.Flags().IntVar(&f.depth, "depth", 0, "at most this many edges away; 0 for no limit")
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: "+strings.Join(lineage.Formats(), ", "))
	cmd.Flags().BoolVar(&f.views, "views", false, "also read what PostgreSQL views read from each PostgreSQL warehouse")
	cmd.Flags().StringVar(&f.jobs, "jobs", "", "also read what BigQuery jobs wrote from what over this window, e.g. 30d")
	return cmd
}

// showLineage runs dre lineage.
func (g *globals) showLineage(cmd *cobra.Command, name string, f lineageFlags) error {
	dir, err := f.direction()
	if err != nil {
		return err
	}
	if !slices.Contains(lineage.Formats(), f.output) {
		return &usageError{fmt.Errorf("unknown output format %q; want one of %s", f.output, strings.Join(lineage.Formats(), ", "))}
	}
	var window time.Duration
	if f.jobs != "" {
		if window, err = parseJobsWindow(f.jobs); err != nil {
			return err
		}
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	graph, err := lineage.Build(cfg.Catalog.Datasets())
	if err != nil {
		return err // config.Load reports cycles first; kept for safety
	}
	if f.views {
		if err := mergeViews(cmd.Context(), cfg, g.opts.Env, graph, cmd.ErrOrStderr()); err != nil {
			return err
		}
	}
	if window > 0 {
		open, closeAll := jobHistories(cfg)
		defer closeAll()
		if err := mergeJobs(cmd.Context(), cfg, open, window, graph, cmd.ErrOrStderr()); err != nil {
			return err
		}
	}
	if !graph.Has(name) {
		_, err := cfg.Catalog.Lookup(name)
		return err
	}
	sg, err := graph.Walk(name, dir, f.depth)
	if err != nil {
		return &usageError{err}
	}
	return lineage.Render(cmd.OutOrStdout(), sg, f.output)
}

// direction reads --upstream and --downstream.
func (f lineageFlags) direction() (lineage.Direction, error) {
	switch {
	case f.depth < 0:
		return "", &usageError{fmt.Errorf("--depth %d is negative; use 0 for no limit", f.depth)}
	case f.upstream && f.downstream:
		return "", &usageError{errors.New("--upstream and --downstream together are the default; pass one or neither")}
	case f.upstream:
		return lineage.Up, nil
	case f.downstream:
		return lineage.Down, nil
	}
	return lineage.Both, nil
}

// mergeViews merges the view dependencies of every PostgreSQL warehouse
// the catalog uses into graph. Embedded warehouses exist only inside dre
// dev, which holds their address, so they are skipped with a note.
func mergeViews(ctx context.Context, cfg *config.Config, env config.Env, graph *lineage.Graph, stderr io.Writer) error {
	used := map[string]bool{}
	for _, d := range cfg.Catalog.Datasets() {
		used[d.Warehouse] = true
	}
	for _, name := range cfg.WarehouseNames() {
		wh := cfg.Warehouses[name]
		switch {
		case !used[name] || wh.Postgres == nil:
			continue
		case wh.Postgres.Embedded:
			fmt.Fprintf(stderr, "note: warehouse %s is embedded (dre dev); its views are not read\n", name)
			continue
		}
		if err := mergeWarehouseViews(ctx, name, wh.Postgres.DSN, env, graph); err != nil {
			return err
		}
	}
	return nil
}

// mergeWarehouseViews connects to one PostgreSQL warehouse and merges
// what its views read.
func mergeWarehouseViews(ctx context.Context, name string, dsn config.Secret, env config.Env, graph *lineage.Graph) error {
	if err := dsn.Resolve(env); err != nil {
		return fmt.Errorf("warehouse %s: %w", name, err)
	}
	w, err := postgres.Open(ctx, dsn.Value())
	if err != nil {
		return fmt.Errorf("warehouse %s: %w", name, err)
	}
	defer w.Close()
	edges, err := activities.ReadViewDependencies(ctx, name, w)
	if err != nil {
		return err
	}
	return graph.Merge(name, edges, lineage.PostgresViews)
}
