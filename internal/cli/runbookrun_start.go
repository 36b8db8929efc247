package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// runbookStarter starts a runbook run and reports it.
type runbookStarter struct {
	g   *globals
	cfg *config.Config
	out io.Writer
	// checkFreeze refuses SQL-writing runbooks on frozen datasets.
	checkFreeze bool
}

// start starts the run id and, with wait, prints its steps at the end.
func (s *runbookStarter) start(ctx context.Context, id string, in workflows.RunbookInput, wait bool) error {
	c, err := dialTemporal(ctx, s.cfg, s.g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.checkFreeze {
		if err := refuseFrozenRunbook(ctx, c, in); err != nil {
			return err
		}
	}
	run, err := c.ExecuteWorkflow(ctx, runbookStartOptions(s.cfg, id, in), workflows.Runbook, in)
	if err != nil {
		return fmt.Errorf("starting runbook %s: %w", in.Runbook.Name, err)
	}
	fmt.Fprintf(s.out, "started %s\nrun ID %s\n%s\n", run.GetID(), run.GetRunID(), s.g.runURL(s.cfg.Temporal.Namespace, run.GetID(), run.GetRunID()))
	if !wait {
		fmt.Fprintf(s.out, "follow it with: dre runbook status %s\n", run.GetID())
		return nil
	}
	var status workflows.RunbookStatus
	err = run.Get(ctx, &status)
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == workflows.ErrRunbookFailed && app.HasDetails() {
		_ = app.Details(&status)
	}
	if status.Runbook != "" {
		printSteps(s.out, status)
	}
	if err != nil {
		return fmt.Errorf("runbook %s failed: %s; retry with: dre runbook retry %s --from %s", in.Runbook.Name, failureMessage(err), run.GetID(), noneIfEmpty(status.FailedStep))
	}
	return nil
}

// failureMessage is the workflow's own reason, without the SDK's wrapping.
func failureMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

// runbookStartOptions makes the run findable and readable in the UI.
func runbookStartOptions(cfg *config.Config, id string, in workflows.RunbookInput) client.StartWorkflowOptions {
	summary := fmt.Sprintf("Runbook %s on %s", in.Runbook.Name, noneIfEmpty(in.Dataset))
	if in.StartFrom != "" {
		summary += ", retried from " + in.StartFrom
	}
	return client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                cfg.Temporal.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		StaticSummary:            summary,
		StaticDetails:            fmt.Sprintf("%s\n\nRequested by %s; definition `%.12s` from %s.", in.Runbook.Description, in.Requester, in.Hash, in.Runbook.Source.File),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.KindKey.ValueSet("runbook"), workflows.DatasetKey.ValueSet(in.Dataset),
			workflows.RunbookKey.ValueSet(in.Runbook.Name), workflows.RunbookHashKey.ValueSet(in.Hash),
			workflows.StatusKey.ValueSet(workflows.RunbookRunning), workflows.RequesterKey.ValueSet(in.Requester),
		),
	}
}

// printSteps prints a run's steps as a table, nested steps indented.
func printSteps(out io.Writer, st workflows.RunbookStatus) {
	fmt.Fprintf(out, "runbook %s on %s: %s\n", st.Runbook, noneIfEmpty(st.Dataset), st.Status)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tKIND\tSTATE\tDETAIL")
	for _, s := range st.Steps {
		detail := s.Error
		if detail == "" {
			detail = s.Result.Message
		}
		detail, _, _ = strings.Cut(detail, "\n")
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\n", strings.Repeat("  ", s.Depth), s.ID, s.Kind, s.State, detail)
	}
	_ = tw.Flush()
}
