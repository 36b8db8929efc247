package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// runbookApproveFlags are the options of dre runbook approve.
type runbookApproveFlags struct {
	step   string
	who    decider
	reject bool
}

func newRunbookApproveCmd(g *globals) *cobra.Command {
	var f runbookApproveFlags
	cmd := &cobra.Command{
		Use:   "approve <workflow-id> --step <step> [--as <you>] [--sign <key>]",
		Short: "Decide a waiting approval of a runbook run: an approve step, or the SLO-freeze hold (step slo-freeze)",
		Long: `approve decides the approval a runbook run waits for. By default (authz rule
runbook.approve) the decider must be one of the step's approvers (people, groups
or Slack user IDs; "owner" in the runbook stands for the dataset owner's team,
Slack channel and PII and lifecycle approvers, as the worker's dre.yaml has them),
and never whoever started the run.

A run whose steps write SQL on a dataset whose SLO error budget is spent waits,
before its first step, for an approval of the reserved step slo-freeze: an
override of the SLO freeze (authz rule backfill.override_freeze; by default the
dataset's owner). Without one within 24h it fails. dre runbook status shows what
a run waits for. --reject decides no: the step (or the held run) fails. The
signature covers the step and the verdict; the audit log records both.

` + signingHelp,
		Example: `  dre runbook approve runbook/fix-nulls/orders/20260102T150405.000000 --step slo-freeze --sign ~/.ssh/id_ed25519.pub
  dre runbook approve runbook/stale-table/orders/20260102T150405.000000 --step go_ahead --as owner --sign SHA256:... --reject`,
		Args: exactArgs(1, "the workflow ID of a waiting runbook run (see dre runbook status)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.approveRunbook(cmd, args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.step, "step", "", "the step waiting for a decision: an approve step's ID, or slo-freeze")
	addSigningFlags(cmd, &f.who)
	cmd.Flags().BoolVar(&f.reject, "reject", false, "reject instead of approving")
	_ = cmd.MarkFlagRequired("step")
	return cmd
}

// approveRunbook sends the approve update; the workflow's validator
// refuses a step that is not waiting or a decider who is no approver.
func (g *globals) approveRunbook(cmd *cobra.Command, id string, f runbookApproveFlags) error {
	cfg, c, err := g.configAndClient(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	decision, err := g.runbookApproval(cfg, cmd.ErrOrStderr(), id, f)
	if err != nil {
		return err
	}
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
	fmt.Fprintf(cmd.OutOrStdout(), "%s step %s of %s as %s\n", verb, f.step, id, decision.By)
	return nil
}

// runbookApproval is the decision f asks for on run id, signed as f.who
// says (unsigned without a key).
func (g *globals) runbookApproval(cfg *config.Config, stderr io.Writer, id string, f runbookApproveFlags) (workflows.RunbookApproval, error) {
	a := workflows.RunbookApproval{Step: f.step, Approve: !f.reject}
	var err error
	a.By, a.Proof, err = g.proof(cfg, stderr, id, workflows.RunbookApproveUpdate, workflows.RunbookApprovalTarget(a), f.who)
	return a, err
}
