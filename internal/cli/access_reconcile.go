package cli

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

func newAccessReconcileCmd(g *globals) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Run one pass of the grant reconciler now and print what it found",
		Long: `The reconciler reads the grants on every PII dataset (those with pii.columns)
and compares them with the grants that should exist: those of the running
access requests, the dataset's standing grants (access.standing in
dre.yaml), the table's owner and the superusers. Only grants that read
data count (SELECT on the table or a PII column; on BigQuery every IAM
role on the table). Each orphan is revoked, or only reported where the
dataset sets access.orphans: report; each is audited, and the owners are
told in Slack.

dre schedules sync runs it every access.reconcile_every (default 15m), so
a grant left by a terminated access request is gone within one interval.
This command runs one pass now, on the worker, and waits for it.
--dry-run finds the orphans and changes, audits and posts nothing.`,
		Example: `  dre access reconcile --dry-run   # what would be revoked
  dre access reconcile             # revoke (or report) the orphans now`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			in := workflows.AccessReconcileInput{Datasets: workflows.AccessReconcileDatasets(catalogDatasets(cfg.Catalog)), DryRun: dryRun}
			if len(in.Datasets) == 0 {
				return errors.New("no dataset in dre.yaml lists pii.columns, so there is nothing to reconcile")
			}
			run, err := workflows.StartAccessReconcile(cmd.Context(), c, cfg.Temporal.TaskQueue, "cli", in)
			if errors.As(err, new(*serviceerror.WorkflowExecutionAlreadyStarted)) {
				return fmt.Errorf("a reconcile pass started from the CLI is running (%s); wait for it", workflows.AccessReconcileWorkflowID("cli"))
			}
			if err != nil {
				return fmt.Errorf("starting the reconcile pass: %w", err)
			}
			var r workflows.AccessReconcileReport
			if err := run.Get(cmd.Context(), &r); err != nil {
				return fmt.Errorf("reconcile pass %s: %w", run.GetID(), err)
			}
			printReconcile(cmd.OutOrStdout(), r)
			if len(r.Failures) > 0 {
				return fmt.Errorf("%d part(s) of the pass failed; the next pass tries again", len(r.Failures))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "find the orphans; revoke, audit and post nothing")
	return cmd
}

// catalogDatasets lists the catalog's datasets by name.
func catalogDatasets(cat *catalog.Catalog) []catalog.Dataset {
	var out []catalog.Dataset
	for _, name := range cat.Names() {
		ds, _ := cat.Lookup(name) // a name from Names is always found
		out = append(out, ds)
	}
	return out
}

// printReconcile prints a pass: totals, then one line per orphan, skip
// and failure.
func printReconcile(w io.Writer, r workflows.AccessReconcileReport) {
	fmt.Fprintf(w, "%s: %d tables read, %d grants reading PII, %d running access request grants, %d orphans\n",
		r.WorkflowID, r.Tables, r.Grants, r.Active, len(r.Orphans))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range r.Orphans {
		line := fmt.Sprintf("%s\t%s\t%s", o.Action, o.Dataset, workflows.OrphanText(o.Orphan))
		if o.Error != "" {
			line += ": " + o.Error
		}
		fmt.Fprintln(tw, line)
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(tw, "skipped\t%s\t%s\n", s.Dataset, s.Reason)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(tw, "failed\t\t%s\n", f)
	}
	_ = tw.Flush() // the writer is the command's output; nothing to do if it fails
	if r.DryRun {
		fmt.Fprintln(w, "dry run: nothing revoked, audited or posted")
	} else if len(r.Orphans) == 0 && len(r.Failures) == 0 {
		fmt.Fprintln(w, "every grant on the PII tables is explained")
	}
}
