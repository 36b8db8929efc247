package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

func newTriageCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "triage",
		Short: "Open, follow, acknowledge and resolve incidents (the triage/<dataset> workflow)",
		Long: `An incident is the workflow triage/<dataset>: it posts to the dataset's Slack
channel, diagnoses the table, pages on-call for sev1 and sev2, escalates
while nobody acknowledges, and keeps the timeline. Slack's /dre triage and
PagerDuty's webhook drive the same workflow as these commands.`,
		Example: `  dre triage start orders --severity 2 --description "no orders since 6am"
  dre triage status orders
  dre triage ack orders
  dre triage backfill orders
  dre triage command orders --as alice
  dre triage followups add orders --owner alice "alert on late loads before 6am"
  dre triage command orders --as alice
  dre triage resolve orders --note "upstream load re-run"
  dre triage list`,
	}
	cmd.AddCommand(newTriageStartCmd(g), newTriageStatusCmd(g), newTriageListCmd(g),
		newTriageActionCmd(g, "ack", workflows.TriageAckUpdate, "Acknowledge the incident (stops escalation)"),
		newTriageActionCmd(g, "resolve", workflows.TriageResolveUpdate, "Resolve the incident (resolves the page, posts the timeline)"),
		newTriageActionCmd(g, "escalate", workflows.TriageEscalateUpdate, "Escalate now (re-page on-call)"),
		newTriageBackfillCmd(g),
		newTriageActionCmd(g, "command", workflows.TriageCommandUpdate, "Take command of the incident: you become its incident commander, shown in the thread and the incident room"),
		newTriageFollowupsCmd(g))
	return cmd
}

// newTriageBackfillCmd is the Backfill affected partitions button, at the
// terminal.
func newTriageBackfillCmd(g *globals) *cobra.Command {
	cmd := newTriageActionCmd(g, "backfill", workflows.TriageBackfillUpdate,
		"Backfill the partitions the incident's findings name, then re-run the failing checks")
	cmd.Long = `Backfill the partitions the incident's findings name, then re-run the failing checks.

The incident starts backfill/<dataset> as its child, over exactly those
partitions, recomputed from the dataset's source: in dre.yaml. The backfill
holds for an SLO freeze like any other, waits for dre backfill approve when
its estimated cost is over the triage policy's backfill_budget, and writes
each partition once. When
it is done, the incident re-runs the checks that failed: if they pass, it is
mitigated, and resolved too when the triage policy sets resolve_after_fix;
otherwise the thread asks for Resolve. Everything lands on the timeline
(dre triage status <dataset>). Refused when no finding names a partition or
the dataset has no source; if another backfill of the dataset is running,
the thread says so and nothing is written.

Who may is the worker's authz.rules.triage.backfill in dre.yaml (default:
anyone who proves who they are).

` + signingHelp
	cmd.Example = `  dre triage status orders      # the findings and the partitions they name
  dre triage backfill orders --sign ~/.ssh/id_ed25519.pub
  dre triage backfill orders --as alice --note "refill the two short days"`
	return cmd
}

// cliActor names the person at the terminal in timelines.
func (g *globals) cliActor() string {
	user, _ := g.opts.Env("USER")
	if user == "" {
		user = "unknown"
	}
	return "cli:" + user
}

func newTriageStartCmd(g *globals) *cobra.Command {
	var severity int
	var description string
	cmd := &cobra.Command{
		Use:   "start <dataset>",
		Short: "Report trouble with a dataset: opens its incident, or joins the open one",
		Example: `  dre triage start orders
  dre triage start orders --severity 1 --description "revenue dashboard empty"`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if severity < 0 || severity > 4 {
				return &usageError{fmt.Errorf("--severity %d: use 1 (worst) to 4", severity)}
			}
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			ds, err := cfg.Catalog.Lookup(args[0])
			if err != nil {
				return err
			}
			report := workflows.TriageReport{Reporter: g.cliActor(), Severity: severity, Description: description, Source: "cli", ReportedAt: time.Now().UTC()}
			runbookSet, err := triageRunbooks(cfg)
			if err != nil {
				return err
			}
			starter := gateway.TemporalTriage{Client: c, TaskQueue: cfg.Temporal.TaskQueue, UIBase: g.uiBaseURL(), Namespace: cfg.Temporal.Namespace, Runbooks: runbookSet,
				Policies: worker.TriagePolicies(cfg)}
			if err := starter.ReportTriage(cmd.Context(), workflows.TriageInput{Dataset: ds, Report: report}); err != nil {
				return fmt.Errorf("reporting %s: %w", ds.Name, err)
			}
			id := workflows.TriageWorkflowID(ds.Name)
			fmt.Fprintf(cmd.OutOrStdout(), "reported %s: %s\nfollow it with: dre triage status %s\n", ds.Name, g.workflowURL(cfg.Temporal.Namespace, id), ds.Name)
			return nil
		},
	}
	cmd.Flags().IntVar(&severity, "severity", 0, "1 (worst) to 4; default 3")
	cmd.Flags().StringVar(&description, "description", "", "what you see")
	return cmd
}

func newTriageActionCmd(g *globals, use, update, short string) *cobra.Command {
	var who decider
	cmd := &cobra.Command{
		Use:   use + " <dataset>",
		Short: short,
		Long: short + `. Who may is the worker's authz.rules.triage.` + update + ` in
dre.yaml (default: anyone who proves who they are).

` + signingHelp,
		Example: fmt.Sprintf("  dre triage %s orders --sign ~/.ssh/id_ed25519.pub\n  dre triage %s orders --as alice --note \"looking into the upstream load\"", use, use),
		Args:    exactArgs(1, "one dataset name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			if _, err := cfg.Catalog.Lookup(args[0]); err != nil {
				return err
			}
			id := workflows.TriageWorkflowID(args[0])
			by, proof, err := g.proof(cfg, cmd.ErrOrStderr(), id, update, args[0], who)
			if err != nil {
				return fmt.Errorf("%s %s: %w", use, id, err)
			}
			h, err := c.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{
				WorkflowID: id, UpdateName: update, WaitForStage: client.WorkflowUpdateStageCompleted,
				Args: []any{workflows.TriageAction{By: by, Note: who.note, Proof: proof}},
			})
			var answer string
			if err == nil {
				err = h.Get(cmd.Context(), &answer)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", use, id, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", id, answer)
			return nil
		},
	}
	addDeciderFlags(cmd, &who)
	return cmd
}

func newTriageStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "status <dataset>",
		Short:   "The incident's status, findings and timeline",
		Example: "  dre triage status orders",
		Args:    exactArgs(1, "one dataset name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			v, err := c.QueryWorkflow(cmd.Context(), workflows.TriageWorkflowID(args[0]), "", workflows.TriageTimelineQuery)
			if err != nil {
				return fmt.Errorf("no incident of %s to show (%w); open one with dre triage start %s", args[0], err, args[0])
			}
			var tl workflows.TriageTimeline
			if err := v.Get(&tl); err != nil {
				return err
			}
			printTimeline(cmd.OutOrStdout(), tl)
			return nil
		},
	}
}

// printTimeline renders an incident for a terminal.
func printTimeline(w io.Writer, tl workflows.TriageTimeline) {
	fmt.Fprintf(w, "%s: %s, sev%d, reported by %v\n", tl.WorkflowID, tl.Status, tl.Severity, tl.Reporters)
	if tl.Room != "" {
		fmt.Fprintf(w, "  room #%s (%s), commander: %s\n", tl.RoomName, tl.Room, orDash(tl.Commander))
	}
	for _, f := range tl.Findings {
		mark := "ok "
		if f.Problem {
			mark = "!! "
		}
		fmt.Fprintf(w, "  %s%s: %s\n", mark, f.Check, f.Summary)
	}
	for _, a := range tl.Alerts {
		fmt.Fprintf(w, "  alert %-9s %s/%s %s\n", a.Status, a.Source, a.Fingerprint, a.Name)
	}
	if tl.AlertsNotListed > 0 {
		fmt.Fprintf(w, "  (%d more alerts not listed)\n", tl.AlertsNotListed)
	}
	for _, e := range tl.Events {
		fmt.Fprintf(w, "  %s  %-12s %s %s\n", e.At.UTC().Format(time.TimeOnly), e.Kind, e.By, e.Text)
	}
}

func newTriageListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "Open incidents",
		Example: "  dre triage list",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			runs, err := gateway.TemporalRuns{Client: c}.OpenRuns(cmd.Context(), "")
			if err != nil {
				return err
			}
			n := 0
			for _, r := range runs {
				if r.Kind == "triage" {
					n++
					fmt.Fprintf(cmd.OutOrStdout(), "%-28s %-14s %s\n", r.WorkflowID, r.Status, g.workflowURL(cfg.Temporal.Namespace, r.WorkflowID))
				}
			}
			if n == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no open incidents")
			}
			return nil
		},
	}
}

// orDash is s, or a dash for nothing.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
