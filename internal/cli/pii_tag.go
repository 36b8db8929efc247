package cli

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

func newPIITagCmd(g *globals) *cobra.Command {
	var who decider
	var kind, workflowID string
	cmd := &cobra.Command{
		Use:   "tag <dataset> <column>",
		Short: "Approve tagging a column the scan found holding PII",
		Long: `tag sends the approval to a running scan, which tags the column in the
warehouse (PostgreSQL: the first line of the column comment, pii:<kind>) and
reads the tag back. By default (authz rule pii.tag) only the dataset's
pii.approvers may approve: those of the worker's dre.yaml when the scan
offers the tag, not those of the dre.yaml the scan was started with. The
signature covers the column and, with --kind, the kind; the report and the
audit log record the key. --approver is the older name of --as.

` + signingHelp,
		Example: `  dre pii tag signups contact --sign ~/.ssh/id_ed25519.pub
  dre pii tag signups contact --as owner --sign SHA256:... --kind email --workflow pii-scan/all-2026-04-01T03:00:00Z`,
		Args: exactArgs(2, "a dataset and a column"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			ds, err := cfg.Catalog.Lookup(args[0])
			if err != nil {
				return err
			}
			if workflowID == "" {
				workflowID = workflows.PIIScanWorkflowID(ds.Name)
			}
			// Signed before dialing: a key that cannot sign needs no server.
			req, err := g.piiTagRequest(cfg, cmd.ErrOrStderr(), workflowID,
				workflows.PIITagRequest{Dataset: ds.Name, Column: args[1], Kind: catalog.PIIKind(kind)}, who)
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			h, err := c.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{
				WorkflowID: workflowID, UpdateName: workflows.PIIScanTagUpdate, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{req},
			})
			var t workflows.PIITagged
			if err == nil {
				err = h.Get(cmd.Context(), &t)
			}
			if err != nil {
				return fmt.Errorf("tagging %s.%s through %s: %w (%s)", ds.Name, args[1], workflowID, err, piiApproverHint(ds))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "tagged %s.%s (%s) as %s, approved by %s\n", ds.Name, t.Column, ds.Table, t.Kind, t.Approver)
			return nil
		},
	}
	addSigningFlags(cmd, &who)
	cmd.Flags().StringVar(&who.as, "approver", "", "the older name of --as")
	cmd.Flags().StringVar(&kind, "kind", "", "the PII kind to tag (default: what the scan found)")
	cmd.Flags().StringVar(&workflowID, "workflow", "", "the scan's workflow ID (default pii-scan/<dataset>; scheduled scans name theirs in Slack)")
	return cmd
}

// piiTagRequest signs req, an approval sent to scan workflowID, as who
// says (unsigned without a key).
func (g *globals) piiTagRequest(cfg *config.Config, stderr io.Writer, workflowID string, req workflows.PIITagRequest, who decider) (workflows.PIITagRequest, error) {
	var err error
	req.Approver, req.Proof, err = g.proof(cfg, stderr, workflowID, workflows.PIIScanTagUpdate, workflows.PIITagTarget(req), who)
	return req, err
}

func newPIIScheduleCmd(g *globals) *cobra.Command {
	var f piiScanFlags
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "schedule [dataset...]",
		Short: "Create or update the Temporal Schedule of the PII scan (daily by default)",
		Long: `schedule creates the Temporal Schedule pii-scan/<scope>, or updates it with the
catalog as it is now: the datasets travel in the schedule's arguments, so run
it again after changing dre.yaml.`,
		Example: `  dre pii schedule
  dre pii schedule --every 12h --report-channel "#privacy"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			in, err := f.input(cfg, args) // before dialing: a bad flag needs no server
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			opts := workflows.PIIScanSchedule(in, every, cfg.Temporal.TaskQueue)
			verb := "created"
			_, err = c.ScheduleClient().Create(cmd.Context(), opts)
			if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
				verb, err = "updated", updatePIISchedule(cmd, c, opts)
			}
			if err != nil {
				return fmt.Errorf("schedule %s: %w", opts.ID, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s schedule %s: every %s, %d datasets\n", verb, opts.ID, opts.Spec.Intervals[0].Every, len(in.Datasets))
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().DurationVar(&every, "every", workflows.DefaultPIIScanEvery, "interval between scans")
	return cmd
}

// updatePIISchedule replaces an existing schedule's spec and action.
func updatePIISchedule(cmd *cobra.Command, c client.Client, opts client.ScheduleOptions) error {
	h := c.ScheduleClient().GetHandle(cmd.Context(), opts.ID)
	return h.Update(cmd.Context(), client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec, s.Action = &opts.Spec, opts.Action
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
}
