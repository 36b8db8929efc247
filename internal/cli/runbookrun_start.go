package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// runbookStarter starts a runbook run and reports it.
type runbookStarter struct {
	g   *globals
	cfg *config.Config
	out io.Writer
}

// start starts the run id and, with wait, prints its steps at the end.
func (s *runbookStarter) start(ctx context.Context, id string, in workflows.RunbookInput, wait bool) error {
	c, err := dialTemporal(ctx, s.cfg, s.g.opts.Stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	s.g.sayIfRunbookHeld(ctx, c, id, in, s.out)
	run, err := workflows.StartRunbook(ctx, c, s.cfg.Temporal.TaskQueue, id, in)
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
	if errors.As(err, &app) && (app.Type() == workflows.ErrRunbookFailed || app.Type() == workflows.ErrRunbookFrozen) && app.HasDetails() {
		_ = app.Details(&status)
	}
	if status.Runbook != "" {
		printSteps(s.out, status)
	}
	if errors.As(err, &app) && app.Type() == workflows.ErrRunbookFrozen {
		return refused("%s", app.Message())
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

// printSteps prints a run's steps as a table, nested steps indented.
func printSteps(out io.Writer, st workflows.RunbookStatus) {
	fmt.Fprintf(out, "runbook %s on %s: %s\n", st.Runbook, noneIfEmpty(st.Dataset), st.Status)
	if st.Hold != "" {
		fmt.Fprintf(out, "held: %s\n", st.Hold)
	}
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
