package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

func newDeprecateRestoreCmd(g *globals) *cobra.Command {
	var a deprecateActor
	cmd := &cobra.Command{
		Use:   "restore <dataset>",
		Short: "Bring a deprecated table back exactly as it was, before or after the drop",
		Long: `Bring a deprecated table back with its name, comment, labels, PII tags and
grants, read back to verify. It waits until the table is back.

While the deprecation runs (until the drop), restore is cancel: the table is
moved home from the archive schema. Once it has finished, restore starts the
workflow restore/<dataset>: the table is recreated from the snapshot taken
before the drop (lifecycle snapshot: true), or moved home from the archive
schema when the final action was archive. A table dropped without a snapshot
cannot come back.

Before the drop a restore is a cancel, a decision on the deprecation:
` + deprecateSigningHelp,
		Example: `  dre deprecate restore legacy_sessions --reason "billing still needs it"
  dre deprecate status legacy_sessions   # how the deprecation ended`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.restoreDeprecated(cmd, args[0], a)
		},
	}
	a.flags(cmd)
	return cmd
}

// restoreDeprecated cancels a running deprecation, or restores the table
// of a finished one from its snapshot or archive.
func (g *globals) restoreDeprecated(cmd *cobra.Command, dataset string, a deprecateActor) error {
	s, err := g.deprecateSession(cmd.Context(), dataset)
	if err != nil {
		return err
	}
	defer s.c.Close()
	id := workflows.DeprecateWorkflowID(dataset)
	desc, err := s.c.DescribeWorkflowExecution(cmd.Context(), id, "")
	var missing *serviceerror.NotFound
	if errors.As(err, &missing) {
		return fmt.Errorf("%s was never deprecated, so there is nothing to restore (see `dre deprecate plan %s`)", dataset, dataset)
	}
	if err != nil {
		return fmt.Errorf("looking up the deprecation of %s: %w", dataset, err)
	}
	switch st := desc.GetWorkflowExecutionInfo().GetStatus(); st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		if err := g.updateDeprecation(cmd, dataset, workflows.DeprecateCancelUpdate, a.action(), a.who); err != nil {
			return err
		}
		return g.awaitDeprecation(cmd, dataset)
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
	default:
		return fmt.Errorf("the deprecation of %s ended %s, not completed; see `dre deprecate status %s` and the Temporal UI before restoring by hand",
			dataset, st, dataset)
	}
	var ended workflows.DeprecateStatus
	if err := s.c.GetWorkflow(cmd.Context(), id, "").Get(cmd.Context(), &ended); err != nil {
		return fmt.Errorf("reading how the deprecation of %s ended: %w", dataset, err)
	}
	// A restore after the drop starts a workflow of its own: the name is
	// its requester, not a decision on the deprecation.
	in, err := restoreInput(s.ds, ended, orDefault(a.who.as, g.cliActor()))
	if err != nil || in == nil {
		if err == nil {
			fmt.Fprintf(cmd.OutOrStdout(), "%s: nothing to restore; the deprecation was cancelled and the table put back\n", ended.Table)
		}
		return err
	}
	return g.runRestore(cmd, s, *in)
}

// restoreInput says how to bring back the table of a finished deprecation:
// nil when it was cancelled (the table is home), an error when it cannot
// come back.
func restoreInput(ds catalog.Dataset, ended workflows.DeprecateStatus, by string) (*workflows.RestoreDeprecatedInput, error) {
	in := &workflows.RestoreDeprecatedInput{Dataset: ds, Requester: by}
	switch ended.Status {
	case workflows.DeprecateRestored:
		return nil, nil
	case workflows.DeprecateArchived:
		in.Archived = ended.Archived
	case workflows.DeprecateDropped:
		if ended.Snapshot == "" {
			return nil, fmt.Errorf("%s: %s (set lifecycle snapshot: true to keep one next time)", ended.Table, workflows.NoSnapshotMessage)
		}
		in.Snapshot = ended.Snapshot
	default:
		return nil, fmt.Errorf("%s: the deprecation ended %q, which restore does not know; see `dre deprecate status %s`", ended.Table, ended.Status, ds.Name)
	}
	// Deprecations finished before dre recorded Restorable fall back to
	// the metadata from before the announce.
	switch {
	case ended.Restorable != nil:
		in.Meta = *ended.Restorable
	case ended.Original != nil:
		in.Meta = *ended.Original
	default:
		return nil, fmt.Errorf("%s: the deprecation recorded no metadata to restore; restore %s by hand", ended.Table, ended.Snapshot+ended.Archived)
	}
	return in, nil
}

// runRestore starts restore/<dataset>, waits for it and prints its summary.
func (g *globals) runRestore(cmd *cobra.Command, s *deprecateSession, in workflows.RestoreDeprecatedInput) error {
	run, err := workflows.StartRestoreDeprecated(cmd.Context(), s.c, s.cfg.Temporal.TaskQueue, in)
	if err != nil {
		return fmt.Errorf("starting the restore of %s (is one already running? see the Temporal UI): %w", s.ds.Name, err)
	}
	var res workflows.RestoreDeprecatedResult
	if err := run.Get(cmd.Context(), &res); err != nil {
		return fmt.Errorf("restoring %s failed (%s): %w", s.ds.Name, g.runURL(s.cfg.Temporal.Namespace, run.GetID(), run.GetRunID()), err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", res.Table, res.Summary)
	return nil
}
