package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

// runbookApproveFlags are the options of dre runbook approve.
type runbookApproveFlags struct {
	step   string
	as     string
	reject bool
}

func newRunbookApproveCmd(g *globals) *cobra.Command {
	var f runbookApproveFlags
	cmd := &cobra.Command{
		Use:   "approve <workflow-id> --step <step> --as <approver>",
		Short: "Decide a waiting approval of a runbook run: an approve step, or the SLO-freeze hold (step slo-freeze)",
		Long: `approve decides the approval a runbook run waits for, as --as, which must be one
of the step's approvers (Slack user or group IDs; "owner" in the runbook stands for
the dataset owner's team, Slack channel and PII and lifecycle approvers).

A run whose steps write SQL on a dataset whose SLO error budget is spent waits,
before its first step, for an approval of the reserved step slo-freeze by the
dataset's owner; without one within 24h it fails. dre runbook status shows what a
run waits for. --reject decides no: the step (or the held run) fails.`,
		Example: `  dre runbook approve runbook/fix-nulls/orders/20260102T150405.000000 --step slo-freeze --as U0123ABC
  dre runbook approve runbook/stale-table/orders/20260102T150405.000000 --step go_ahead --as U0123ABC --reject`,
		Args: exactArgs(1, "the workflow ID of a waiting runbook run (see dre runbook status)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.approveRunbook(cmd, args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.step, "step", "", "the step waiting for a decision: an approve step's ID, or slo-freeze")
	cmd.Flags().StringVar(&f.as, "as", "", "who decides: one of the step's approvers (default: cli:$USER)")
	cmd.Flags().BoolVar(&f.reject, "reject", false, "reject instead of approving")
	_ = cmd.MarkFlagRequired("step")
	return cmd
}

// approveRunbook sends the approve update; the workflow's validator
// refuses a step that is not waiting or a decider who is no approver.
func (g *globals) approveRunbook(cmd *cobra.Command, id string, f runbookApproveFlags) error {
	if f.as == "" {
		f.as = g.cliActor()
	}
	_, c, err := g.configAndClient(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	decision := workflows.RunbookApproval{Step: f.step, By: f.as, Approve: !f.reject}
	h, err := c.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: workflows.RunbookApproveUpdate, Args: []any{decision},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(cmd.Context(), nil)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("no runbook run %s is running; check the ID with dre runbook status", id)
	}
	if err != nil {
		return refused("the decision on step %s of %s was refused: %s", f.step, id, failureMessage(err))
	}
	verb := "approved"
	if f.reject {
		verb = "rejected"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s step %s of %s as %s\n", verb, f.step, id, f.as)
	return nil
}
