package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

func newAccessReviewCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Periodic review of every grant on PII data (access-review/<period>)",
		Long: `An access review lists every grant that reaches PII (warehouse grants on
catalog PII tables and columns), asks each dataset's approvers in Slack to keep
or revoke each grant, reminds them, and at the deadline applies each dataset's
default (pii.review_default, revoke unless set to keep). Revocations are
verified, every decision is audited, and a Markdown and CSV report is posted.
Nobody decides on their own access.`,
		Example: `  dre access review start --period 2026Q4 --deadline 14d --ignore postgres
  dre access review decide 2026Q4 customers/dre_demo_reader revoke --sign ~/.ssh/id_ed25519.pub`,
	}
	cmd.AddCommand(newAccessReviewStartCmd(g), newAccessReviewDecideCmd(g), newAccessReviewScheduleCmd(g))
	return cmd
}

// reviewFlags are the knobs shared by start and schedule.
type reviewFlags struct {
	deadline, remind string
	ignore           []string
	channel          string
}

func (f *reviewFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.deadline, "deadline", "14d", "how long approvers have to decide")
	cmd.Flags().StringVar(&f.remind, "remind-every", "3d", "how often the undecided are reminded")
	cmd.Flags().StringSliceVar(&f.ignore, "ignore", []string{"postgres"}, "principals not reviewed (service roles that own the tables)")
	cmd.Flags().StringVar(&f.channel, "channel", "", "Slack channel for the report (default: slack.default_channel)")
}

// input builds the review's input from the catalog's PII datasets.
func (f *reviewFlags) input(cfg *config.Config, period string) (workflows.AccessReviewInput, error) {
	deadline, err := catalog.ParseDuration(f.deadline)
	if err != nil {
		return workflows.AccessReviewInput{}, &usageError{fmt.Errorf("--deadline: %w", err)}
	}
	remind, err := catalog.ParseDuration(f.remind)
	if err != nil {
		return workflows.AccessReviewInput{}, &usageError{fmt.Errorf("--remind-every: %w", err)}
	}
	in := workflows.AccessReviewInput{Period: period, Ignore: f.ignore, Deadline: deadline.Duration, RemindEvery: remind.Duration,
		ComplianceChannel: orDefault(f.channel, cfg.Slack.DefaultChannel)}
	for _, name := range cfg.Catalog.Names() {
		if ds, err := cfg.Catalog.Lookup(name); err == nil && len(ds.PII.Columns) > 0 {
			in.Datasets = append(in.Datasets, ds)
		}
	}
	if len(in.Datasets) == 0 {
		return in, errors.New("no dataset in the catalog has pii.columns: there is nothing to review")
	}
	return in, nil
}

func newAccessReviewStartCmd(g *globals) *cobra.Command {
	f := &reviewFlags{}
	var period string
	cmd := &cobra.Command{
		Use:     "start",
		Short:   "Start the review of a period now",
		Example: "  dre access review start --period 2026Q4 --deadline 7d",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			in, err := f.input(cfg, period)
			if err != nil {
				return err
			}
			id := workflows.AccessReviewWorkflowID(period)
			_, err = workflows.StartAccessReview(cmd.Context(), c, cfg.Temporal.TaskQueue, period, in)
			if err != nil {
				return fmt.Errorf("starting %s (a period is reviewed once): %w", id, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s started: %d PII dataset(s), deadline in %s\n%s\n", id, len(in.Datasets), f.deadline, g.workflowURL(cfg.Temporal.Namespace, id))
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&period, "period", defaultPeriod(time.Now()), "quarter to review, like 2026Q4")
	return cmd
}

func defaultPeriod(now time.Time) string {
	return fmt.Sprintf("%dQ%d", now.Year(), (int(now.Month())+2)/3)
}

func newAccessReviewDecideCmd(g *globals) *cobra.Command {
	var who decider
	cmd := &cobra.Command{
		Use:   "decide <period|workflow ID> <grant|all> keep|revoke",
		Short: "Keep or revoke a grant under review (all: every grant you may decide)",
		Long: `decide sends a decision to the review of a period (access-review/<period>).
A review started by the quarterly schedule has the ID Temporal gives
scheduled runs (access-review/scheduled-<time>, in the Slack message and
the Temporal UI): pass that ID instead of the period.

By default (authz rule review.decide) a grant is decided by one of its
dataset's pii.approvers, never by whoever holds it. The approvers are those
of the worker's dre.yaml when the review asks for decisions, not those of
the dre.yaml the review was started with. The signature covers the grant
and the decision; the report and the audit log record the key.

` + signingHelp,
		Example: `  dre access review decide 2026Q4 customers/bob revoke --sign ~/.ssh/id_ed25519.pub --note "left the team"
  dre access review decide access-review/scheduled-2027-01-01T09:00:00Z all keep --as owner --sign SHA256:...`,
		Args: exactArgs(3, "a period or review workflow ID, a grant ID (or all) and keep or revoke"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{workflows.ReviewKeep, workflows.ReviewRevoke}, args[2]) {
				return &usageError{fmt.Errorf("decision %q: want keep or revoke", args[2])}
			}
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			id := reviewWorkflowID(args[0])
			d, err := g.reviewDecision(cfg, cmd.ErrOrStderr(), id, workflows.ReviewDecision{Grant: args[1], Decision: args[2], Note: who.note}, who)
			if err != nil {
				return err
			}
			h, err := c.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{WorkflowID: id,
				UpdateName: workflows.AccessReviewDecideUpdate, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{d}})
			var answer string
			if err == nil {
				err = h.Get(cmd.Context(), &answer)
			}
			if err != nil {
				return fmt.Errorf("deciding %s in the review of %s: %w", args[1], args[0], err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), answer)
			return nil
		},
	}
	addDeciderFlags(cmd, &who)
	return cmd
}

// reviewDecision signs d, a decision in review id, as who says (unsigned
// without a key).
func (g *globals) reviewDecision(cfg *config.Config, stderr io.Writer, id string, d workflows.ReviewDecision, who decider) (workflows.ReviewDecision, error) {
	var err error
	d.By, d.Proof, err = g.proof(cfg, stderr, id, workflows.AccessReviewDecideUpdate, workflows.ReviewDecisionTarget(d), who)
	return d, err
}

// reviewWorkflowID reads a period (2026Q4) or a review's workflow ID, which
// scheduled reviews need: Temporal names their runs after the schedule.
func reviewWorkflowID(periodOrID string) string {
	if strings.Contains(periodOrID, "/") {
		return periodOrID
	}
	return workflows.AccessReviewWorkflowID(periodOrID)
}
