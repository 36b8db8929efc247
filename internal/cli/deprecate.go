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
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/workflows"
)

func newDeprecateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deprecate",
		Short: "Retire a dataset by its catalog lifecycle (the deprecate/<dataset> workflow)",
		Long: `A deprecation is the workflow deprecate/<dataset>. It follows the dataset's
lifecycle in dre.yaml: announce (table comment, label, Slack), remind consumers
until they acknowledge or the grace period ends, brown out, stop at the usage
gate if the table is still read, soft delete into the archive schema, wait out
the retention, snapshot and drop. Until the drop, cancel puts the table back
exactly as it was: name, grants, comment, labels and PII tags. After the
drop, restore brings it back the same way from its snapshot.

"dre schedules sync" starts deprecations on their deprecate_on date; start
begins one by hand (it waits for deprecate_on if that is still ahead).`,
		Example: `  dre deprecate plan legacy_sessions
  dre deprecate start legacy_sessions
  dre deprecate status legacy_sessions
  dre deprecate ack legacy_sessions --sign ~/.ssh/id_ed25519.pub
  dre deprecate extend legacy_sessions --until 2027-04-30 --reason "Q1 reports"
  dre deprecate cancel legacy_sessions --reason "still feeds billing"
  dre deprecate restore legacy_sessions   # also after the drop, from the snapshot`,
	}
	cmd.AddCommand(newDeprecatePlanCmd(g), newDeprecateStartCmd(g), newDeprecateStatusCmd(g),
		newDeprecateExtendCmd(g), newDeprecateCancelCmd(g), newDeprecateRestoreCmd(g))
	for _, c := range deprecateControls {
		cmd.AddCommand(newDeprecateControlCmd(g, c))
	}
	return cmd
}

// deprecateSession is what every deprecate subcommand needs: the config,
// the dataset (which must have a lifecycle) and a Temporal client.
type deprecateSession struct {
	cfg *config.Config
	ds  catalog.Dataset
	c   client.Client
}

func (g *globals) deprecateSession(ctx context.Context, dataset string) (*deprecateSession, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	ds, err := lifecycleDataset(cfg, dataset)
	if err != nil {
		return nil, err
	}
	c, err := dialTemporal(ctx, cfg, g.opts.Stderr)
	if err != nil {
		return nil, err
	}
	return &deprecateSession{cfg: cfg, ds: ds, c: c}, nil
}

// lifecycleDataset looks a dataset up and requires a lifecycle on it.
func lifecycleDataset(cfg *config.Config, name string) (catalog.Dataset, error) {
	ds, err := cfg.Catalog.Lookup(name)
	if err != nil {
		return ds, err
	}
	if ds.Lifecycle == nil {
		return ds, fmt.Errorf("dataset %s has no lifecycle: add lifecycle: {deprecate_on: YYYY-MM-DD, final_action: drop} to it in dre.yaml", name)
	}
	return ds, nil
}

func newDeprecateStartCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "start <dataset>",
		Short: "Start a dataset's deprecation now (it waits for deprecate_on if that is ahead)",
		Example: `  dre deprecate start legacy_sessions
  dre deprecate status legacy_sessions   # then follow it`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.deprecateSession(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer s.c.Close()
			graph, _ := lineage.Build(s.cfg.Catalog.Datasets()) // config.Load refused cycles
			in := workflows.DeprecateInput{Dataset: s.ds, Requester: g.cliActor(), Downstream: graph.DownstreamDatasets(s.ds.Name)}
			run, err := workflows.StartDeprecate(cmd.Context(), s.c, s.cfg.Temporal.TaskQueue, in)
			var running *serviceerror.WorkflowExecutionAlreadyStarted
			if errors.As(err, &running) {
				return fmt.Errorf("%s is already being deprecated (%s); see `dre deprecate status %s`",
					s.ds.Name, g.runURL(s.cfg.Temporal.Namespace, workflows.DeprecateWorkflowID(s.ds.Name), running.RunId), s.ds.Name)
			}
			if err != nil {
				return fmt.Errorf("starting the deprecation of %s: %w", s.ds.Name, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "started %s: %s\n", run.GetID(), g.runURL(s.cfg.Temporal.Namespace, run.GetID(), run.GetRunID()))
			return nil
		},
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
