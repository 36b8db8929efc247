package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/worker"
)

// jobLineageReader is a warehouse that keeps a job history to learn
// lineage from: BigQuery's INFORMATION_SCHEMA.JOBS.
type jobLineageReader interface {
	JobLineage(ctx context.Context, since time.Time) ([]warehouse.JobEdge, error)
}

// openJobHistory opens a warehouse by name for its job history.
type openJobHistory func(ctx context.Context, name string) (jobLineageReader, error)

// parseJobsWindow reads --jobs: days (30d) or a Go duration (48h).
func parseJobsWindow(s string) (time.Duration, error) {
	var days int
	if n, err := fmt.Sscanf(s, "%dd", &days); err == nil && n == 1 && fmt.Sprintf("%dd", days) == s && days > 0 {
		return time.Duration(days) * 24 * time.Hour, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, &usageError{fmt.Errorf("--jobs %q: give a window of days (30d) or a duration (48h)", s)}
}

// mergeJobs merges what the job history of every BigQuery warehouse the
// catalog uses shows was written from what, over window, into graph. A
// cycle in the history (a restore copying a table back) is a warning: the
// graph is still worth showing.
func mergeJobs(ctx context.Context, cfg *config.Config, open openJobHistory, window time.Duration, graph *lineage.Graph, stderr io.Writer) error {
	used := map[string]bool{}
	for _, d := range cfg.Catalog.Datasets() {
		used[d.Warehouse] = true
	}
	since := time.Now().Add(-window)
	for _, name := range cfg.WarehouseNames() {
		if !used[name] || cfg.Warehouses[name].BigQuery == nil {
			continue
		}
		r, err := open(ctx, name)
		if err != nil {
			return err
		}
		edges, err := r.JobLineage(ctx, since)
		if err != nil {
			return fmt.Errorf("warehouse %s: %w", name, err)
		}
		var cycle *lineage.CycleError
		if err := graph.MergeJobs(name, edges); errors.As(err, &cycle) {
			fmt.Fprintf(stderr, "warning: warehouse %s's job history closes a cycle: %v\n", name, err)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// jobHistories opens BigQuery warehouses as the worker does (key file or
// Application Default Credentials, usage_projects and usage_regions), and
// returns a function closing them.
func jobHistories(cfg *config.Config) (openJobHistory, func()) {
	reg := worker.Warehouses(cfg, "")
	return func(ctx context.Context, name string) (jobLineageReader, error) {
		c, err := reg.Get(ctx, name)
		if err != nil {
			return nil, err
		}
		r, ok := c.(jobLineageReader)
		if !ok {
			return nil, fmt.Errorf("warehouse %s keeps no job history dre can read; --jobs reads BigQuery warehouses only", name)
		}
		return r, nil
	}, reg.Close
}
