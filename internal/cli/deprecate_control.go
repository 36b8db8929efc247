package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// deprecateControl is one update exposed as a subcommand.
type deprecateControl struct {
	update, short, example string
}

var deprecateControls = []deprecateControl{
	{workflows.DeprecateAckUpdate, "Acknowledge a deprecation as a consumer (stops your reminders)",
		"dre deprecate ack legacy_sessions --as carol --sign ~/.ssh/id_ed25519.pub"},
	{workflows.DeprecateVetoUpdate, "Object to a deprecation: it pauses until the owner decides",
		`dre deprecate veto legacy_sessions --reason "the finance dashboard still reads it" --sign ~/.ssh/id_ed25519.pub`},
	{workflows.DeprecateContinueUpdate, "Let a paused deprecation go on (owner or lifecycle approver)",
		"dre deprecate continue legacy_sessions --as owner --sign SHA256:..."},
}

// deprecateSigningHelp is the Long text every deprecation decision adds:
// who may take it and how it is signed.
const deprecateSigningHelp = `Who may take it is the authz: rule deprecate.<command> of the worker's
dre.yaml (by default anyone, except continue: the dataset's
lifecycle.approvers). The timeline and the audit log record who decided
and the key that signed.

` + signingHelp

func newDeprecateControlCmd(g *globals, c deprecateControl) *cobra.Command {
	var a deprecateActor
	cmd := &cobra.Command{
		Use:     c.update + " <dataset>",
		Short:   c.short,
		Long:    c.short + ".\n\n" + deprecateSigningHelp,
		Example: "  " + c.example,
		Args:    exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.updateDeprecation(cmd, args[0], c.update, a.action(), a.who)
		},
	}
	a.flags(cmd)
	return cmd
}

// deprecateActor holds the --as, --sign and --reason flags.
type deprecateActor struct {
	who    decider
	reason string
}

func (a *deprecateActor) flags(cmd *cobra.Command) {
	addSigningFlags(cmd, &a.who)
	cmd.Flags().StringVar(&a.reason, "reason", "", "why, for the timeline, the owner and the audit log")
}

// action is the unsigned action; updateDeprecation signs it.
func (a *deprecateActor) action() workflows.DeprecateAction {
	return workflows.DeprecateAction{Reason: a.reason}
}

func newDeprecateExtendCmd(g *globals) *cobra.Command {
	var a deprecateActor
	var until string
	cmd := &cobra.Command{
		Use:     "extend <dataset> --until YYYY-MM-DD",
		Short:   "Move a deprecation's retire date later (before the soft delete)",
		Long:    "Move a deprecation's retire date later (before the soft delete); the signature covers the new date.\n\n" + deprecateSigningHelp,
		Example: `  dre deprecate extend legacy_sessions --until 2027-04-30 --reason "Q1 reports" --sign ~/.ssh/id_ed25519.pub`,
		Args:    exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := catalog.ParseDate(until)
			if err != nil {
				return &usageError{fmt.Errorf("--until: %w", err)}
			}
			act := a.action()
			act.Until = day.Time()
			return g.updateDeprecation(cmd, args[0], workflows.DeprecateExtendUpdate, act, a.who)
		},
	}
	cmd.Flags().StringVar(&until, "until", "", "the new retire date, YYYY-MM-DD")
	a.flags(cmd)
	return cmd
}

// updateDeprecation signs a as who says and sends it, then prints the
// status it returns; the workflow's validator explains a refusal.
func (g *globals) updateDeprecation(cmd *cobra.Command, dataset, update string, a workflows.DeprecateAction, who decider) error {
	s, err := g.deprecateSession(cmd.Context(), dataset)
	if err != nil {
		return err
	}
	defer s.c.Close()
	id := workflows.DeprecateWorkflowID(dataset)
	if a, err = g.signDeprecateAction(s.cfg, cmd.ErrOrStderr(), dataset, update, a, who); err != nil {
		return err
	}
	h, err := s.c.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: update, Args: []any{a},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var st workflows.DeprecateStatus
	if err == nil {
		err = h.Get(cmd.Context(), &st)
	}
	if err != nil {
		return fmt.Errorf("%s of the %s deprecation refused: %w", update, dataset, err)
	}
	fmt.Fprintln(cmd.OutOrStdout(), deprecateLine(st))
	return nil
}

func newDeprecateCancelCmd(g *globals) *cobra.Command {
	var a deprecateActor
	short := "Cancel a deprecation and put the table back exactly as it was (until the drop)"
	cmd := &cobra.Command{
		Use:   "cancel <dataset>",
		Short: short,
		Long: short + `. It waits until the table is back: moved home from the archive schema,
its comment, labels, PII tags and grants re-applied and read back to verify.

` + deprecateSigningHelp,
		Example: `  dre deprecate cancel legacy_sessions --reason "still feeds billing" --sign ~/.ssh/id_ed25519.pub
  dre deprecate restore legacy_sessions   # after the drop`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.updateDeprecation(cmd, args[0], workflows.DeprecateCancelUpdate, a.action(), a.who); err != nil {
				return err
			}
			return g.awaitDeprecation(cmd, args[0])
		},
	}
	a.flags(cmd)
	return cmd
}

// awaitDeprecation waits for the run to end and prints how it ended.
func (g *globals) awaitDeprecation(cmd *cobra.Command, dataset string) error {
	s, err := g.deprecateSession(cmd.Context(), dataset)
	if err != nil {
		return err
	}
	defer s.c.Close()
	var st workflows.DeprecateStatus
	if err := s.c.GetWorkflow(cmd.Context(), workflows.DeprecateWorkflowID(dataset), "").Get(cmd.Context(), &st); err != nil {
		return fmt.Errorf("the deprecation of %s failed while restoring; see `dre deprecate status %s`: %w", dataset, dataset, err)
	}
	if len(st.Timeline) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), deprecateLine(st))
		return nil
	}
	last := st.Timeline[len(st.Timeline)-1]
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %s at %s\n", st.Table, last.What, last.At.UTC().Format(time.RFC3339))
	return nil
}

// signDeprecateAction signs a, the update on dataset's deprecation, as
// who says (unsigned without a key).
func (g *globals) signDeprecateAction(cfg *config.Config, stderr io.Writer, dataset, update string, a workflows.DeprecateAction, who decider) (workflows.DeprecateAction, error) {
	var err error
	a.By, a.Proof, err = g.proof(cfg, stderr, workflows.DeprecateWorkflowID(dataset), update, workflows.DeprecateTarget(dataset, a), who)
	return a, err
}
