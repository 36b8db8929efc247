package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

// followInterval is how often --wait and watch ask for progress.
const followInterval = time.Second

// queryBackfill asks a backfill run for its status.
func queryBackfill(ctx context.Context, c client.Client, id, runID string) (workflows.BackfillStatus, error) {
	var s workflows.BackfillStatus
	v, err := c.QueryWorkflow(ctx, id, runID, workflows.StatusQuery)
	if err != nil {
		return s, err
	}
	return s, v.Get(&s)
}

// followBackfill shows the run's progress every second until it ends (a
// live bar on a terminal, plain lines otherwise), then the report; the
// error says how it ended unless every partition was written, with the
// exit code scripts branch on. It follows continue-as-new by querying the
// workflow ID, not the first run.
func followBackfill(ctx context.Context, c client.Client, run client.WorkflowRun, out io.Writer) error {
	ended := make(chan error, 1)
	var report workflows.BackfillReport
	go func() { ended <- run.Get(ctx, &report) }()
	tick := time.NewTicker(followInterval)
	defer tick.Stop()
	progress := newProgressPrinter(out)
	defer progress.end()
	for {
		select {
		case err := <-ended:
			progress.end()
			return finishFollow(report, err, out)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if s, err := queryBackfill(ctx, c, run.GetID(), ""); err == nil {
				progress.update(s)
			}
		}
	}
}

// finishFollow prints the report and turns an incomplete outcome into
// exit code 3 (partitions not written) or 4 (not approved).
func finishFollow(r workflows.BackfillReport, err error, out io.Writer) error {
	if err != nil {
		return fmt.Errorf("the backfill failed: %w", err)
	}
	fmt.Fprintln(out, workflows.BackfillReportText(r.BackfillStatus))
	if r.Notified != "" {
		fmt.Fprintln(out, "report "+r.Notified)
	}
	switch r.Status {
	case workflows.BackfillDone, workflows.BackfillPlanned:
		return nil
	case workflows.BackfillNotApproved:
		return refused("the backfill of %s was not approved: its estimated cost is over its budget", r.Dataset)
	}
	return &exitCodeError{code: exitPartial, err: fmt.Errorf("the backfill of %s ended %s with %d of %d partitions written", r.Dataset, r.Status, r.Done, r.Total)}
}

// backfillLine is one line of progress.
func backfillLine(s workflows.BackfillStatus) string {
	line := fmt.Sprintf("%s: %s, %d/%d partitions (%d running, %d failed), %d rows, %.1f partitions/s",
		s.Dataset, s.Status, s.Done, s.Total, s.Running, s.Failed, s.Rows, s.PartitionsPerSecond)
	if s.ETA > 0 {
		line += ", ETA " + s.ETA.String()
	}
	if s.Status == workflows.BackfillAwaitingApproval && s.Plan != nil {
		line += fmt.Sprintf("; estimated cost %.0f is over the budget %.0f: run `dre backfill approve %s`", s.Plan.Amount, s.Budget, s.Dataset)
	}
	return line
}
