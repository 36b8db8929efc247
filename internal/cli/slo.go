package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/slosync"
	"github.com/dre-dev/dre/workflows"
)

func newSLOCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "slo",
		Short: "Data SLOs: evaluation schedules, status, reports, burn charts, OpenSLO export and import",
		Long: `Each dataset with slos: in dre.yaml is evaluated by the workflow
slo-eval/<dataset>: every interval it measures the SLIs, stores the
observations in dre's state database (table slo_observations), computes the
error budget left and the SRE workbook's burn rates, pages through triage
(14.4× over 1h and 5m, or 6× over 6h and 30m) and posts tickets (1× over 3d
and 6h) to the owner's channel. An exhausted budget sets the evaluator's
DreStatus to frozen. With slo.batch.size in dre.yaml, the datasets are
evaluated in batches by slo-batch/<interval>-<n> instead (see dre slo
schedule sync --help).`,
		Example: `  dre slo schedule sync
  dre slo status orders
  dre slo report --format csv > slo.csv
  dre slo chart orders --out burn.svg
  dre slo export --openslo > slos.yaml
  dre slo import slos.yaml`,
	}
	cmd.AddCommand(newSLOScheduleCmd(g), newSLOStatusCmd(g), newSLOReportCmd(g), newSLOChartCmd(g), newSLOExportCmd(g), newSLOImportCmd(),
		newSLOBackfillHistoryCmd(g))
	return cmd
}

func newSLOScheduleCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "schedule", Short: "Manage the SLO evaluators (one workflow per dataset, or per batch under slo.batch)"}
	cmd.AddCommand(&cobra.Command{
		Use:   "sync",
		Short: "Start an evaluator for every dataset with SLOs, and hand running ones the current catalog",
		Long: `sync signals-with-start slo-eval/<dataset> for every dataset that has SLOs:
a missing evaluator starts, a running one adopts the catalog entry at once
(new SLOs are evaluated immediately, removed ones dropped). Run it after
every change to dre.yaml; running it twice changes nothing.

With slo.batch.size set in dre.yaml (large catalogs), it starts instead one
evaluator slo-batch/<interval>-<n> per batch of that many datasets sharing
their shortest SLO interval, each round one activity for the whole batch.
Datasets stay in their batch across syncs; new ones fill the batches with
room. Turning the option on or off, or moving a dataset, hands its state
(alert level, counts) to its new evaluator, then stops the old one: a
dataset's own evaluator is terminated, an emptied batch ends itself. In
batch mode a dre worker must be running, to answer the batches' status.`,
		Example: `  dre slo schedule sync
  dre slo schedule sync --config /etc/dre/dre.yaml`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, err := g.sloClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			datasets := sloDatasets(cfg.Catalog, "")
			if len(datasets) == 0 {
				return errors.New("no dataset has slos: in the catalog; add some (see dre catalog schema)")
			}
			b := cfg.SLO.Batch
			opts := slosync.Options{
				TaskQueue: cfg.Temporal.TaskQueue, BatchSize: b.Size, Parallelism: b.ParallelismOrDefault(),
				RunURL: func(id, run string) string { return g.runURL(cfg.Temporal.Namespace, id, run) },
			}
			return slosync.Sync(cmd.Context(), c, datasets, opts, cmd.OutOrStdout())
		},
	})
	return cmd
}

// sloClient loads the config and dials Temporal.
func (g *globals) sloClient(ctx context.Context) (*config.Config, client.Client, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	c, err := dialTemporal(ctx, cfg, g.opts.Stderr)
	if err != nil {
		return nil, nil, err
	}
	return cfg, c, nil
}

// sloDatasets returns the datasets with SLOs, or only the named one.
func sloDatasets(cat *catalog.Catalog, name string) []catalog.Dataset {
	var out []catalog.Dataset
	for _, ds := range cat.Datasets() {
		if len(ds.SLOs) > 0 && (name == "" || ds.Name == name) {
			out = append(out, ds)
		}
	}
	return out
}

// sloStatus asks a dataset's evaluator for its status: its own, or the
// batch's that holds it. ok is false when no evaluator runs.
func sloStatus(ctx context.Context, c client.Client, dataset string) (st workflows.SLOEvalStatus, ok bool, err error) {
	if st, ok, err = sloOwnStatus(ctx, c, dataset); ok || err != nil {
		return st, ok, err
	}
	batches, err := slosync.RunningBatches(ctx, c)
	if err != nil {
		return st, false, err
	}
	st, _, ok = sloBatchMember(batches, dataset)
	return st, ok, nil
}

// sloOwnStatus asks the dataset's own evaluator for its status; ok is
// false when none runs.
func sloOwnStatus(ctx context.Context, c client.Client, dataset string) (st workflows.SLOEvalStatus, ok bool, err error) {
	v, err := c.QueryWorkflow(ctx, workflows.SLOEvalWorkflowID(dataset), "", workflows.StatusQuery)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("asking slo-eval/%s for its status: %w", dataset, err)
	}
	return st, true, v.Get(&st)
}

// sloBatchMember finds a dataset among the batches' members.
func sloBatchMember(batches map[string]workflows.SLOBatchStatus, dataset string) (workflows.SLOEvalStatus, string, bool) {
	for name, b := range batches {
		if m, ok := b.Member(dataset); ok {
			return m, name, true
		}
	}
	return workflows.SLOEvalStatus{}, "", false
}

// sloStatuses collects the status of every evaluated dataset (or one),
// from the batch evaluators' members first, then the datasets' own.
func (g *globals) sloStatuses(ctx context.Context, dataset string) ([]workflows.SLOEvalStatus, []string, error) {
	cfg, c, err := g.sloClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	if dataset != "" {
		if _, err := cfg.Catalog.Lookup(dataset); err != nil {
			return nil, nil, err
		}
	}
	datasets := sloDatasets(cfg.Catalog, dataset)
	if len(datasets) == 0 {
		return nil, nil, fmt.Errorf("no SLOs to show: %s has no slos: in the catalog", orAll(dataset))
	}
	batches, err := slosync.RunningBatches(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	var out []workflows.SLOEvalStatus
	var missing []string
	for _, ds := range datasets {
		st, _, ok := sloBatchMember(batches, ds.Name)
		if !ok {
			if st, ok, err = sloOwnStatus(ctx, c, ds.Name); err != nil {
				return nil, nil, err
			}
		}
		if !ok {
			missing = append(missing, ds.Name)
			continue
		}
		out = append(out, st)
	}
	return out, missing, nil
}

func orAll(dataset string) string {
	if dataset == "" {
		return "the catalog"
	}
	return dataset
}
