package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/schedules"
)

func newSchedulesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedules",
		Short: "Keep Temporal Schedules in step with dre.yaml",
		Long: `dre derives its Temporal Schedules from the catalog: the daily lifecycle
sweep that starts deprecations on their deprecate_on date, and the access
reconciler over the PII datasets (every access.reconcile_every, default
15m; see dre access reconcile --help), and the audit log's signed
checkpoints when audit.checkpoint_every is set (see dre audit --help). The
schedules are named ` + schedules.Prefix + `*; dre never touches other schedules.
They appear in the Temporal UI under Schedules.`,
		Example: `  dre schedules sync --dry-run
  dre schedules sync`,
	}
	cmd.AddCommand(newSchedulesSyncCmd(g))
	return cmd
}

func newSchedulesSyncCmd(g *globals) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Create, update and delete dre's schedules to match the catalog, printing the diff first",
		Long: `sync prints what it will change (+ create, ~ update, - delete, = unchanged),
then changes it. Running it again with nothing changed in dre.yaml changes
nothing. Run it after every change to the catalog, for example in CI after
a merge. A catalog with dbt.manifest reads the manifest again, so run it
after dbt compile too: new models get their schedules.`,
		Example: `  dre schedules sync --dry-run   # the diff only
  dre schedules sync`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			sc := c.ScheduleClient()
			wanted := schedules.Wanted(cfg.Catalog, cfg.Access.ReconcileEvery.Duration, cfg.Audit.CheckpointEvery.Duration, cfg.Temporal.TaskQueue)
			wanted = append(wanted, schedules.FollowupReminders(cfg.State.DSN.IsSet() || cfg.State.Embedded, cfg.Temporal.TaskQueue)...)
			plan, err := schedules.Diff(cmd.Context(), sc, wanted)
			if err != nil {
				return err
			}
			changes := 0
			for _, ch := range plan {
				fmt.Fprintln(cmd.OutOrStdout(), ch)
				if ch.Op != schedules.Unchanged {
					changes++
				}
			}
			switch {
			case changes == 0:
				fmt.Fprintln(cmd.OutOrStdout(), "schedules are in step with the catalog")
				return nil
			case dryRun:
				fmt.Fprintf(cmd.OutOrStdout(), "dry run: %d changes not applied\n", changes)
				return nil
			}
			if err := schedules.Apply(cmd.Context(), sc, plan); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "applied %d changes\n", changes)
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the diff and change nothing")
	return cmd
}
