package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
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

// progressBarWidth is the bar's width in cells; with the figures after it
// a line stays within 100 columns.
const progressBarWidth = 30

// progressPrinter shows a backfill's progress: on a terminal, one bar
// redrawn in place with its rate and ETA; otherwise (a pipe, a CI log) a
// plain line each time the counts change, so logs stay short and greppable.
type progressPrinter struct {
	out   io.Writer
	tty   bool
	drawn bool
	last  string
}

func newProgressPrinter(out io.Writer) *progressPrinter {
	return &progressPrinter{out: out, tty: isTerminal(out)}
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update shows s.
func (p *progressPrinter) update(s workflows.BackfillStatus) {
	if p.tty {
		// \r returns to the line's start, \x1b[K clears what a longer
		// previous line left behind.
		fmt.Fprintf(p.out, "\r%s\x1b[K", progressBar(s))
		p.drawn = true
		return
	}
	key := fmt.Sprintf("%s %d %d %d", s.Status, s.Done, s.Failed, s.Running)
	if key == p.last {
		return
	}
	p.last = key
	fmt.Fprintln(p.out, backfillLine(s))
}

// end moves past the bar so that what follows starts on its own line.
func (p *progressPrinter) end() {
	if p.drawn {
		fmt.Fprintln(p.out)
		p.drawn = false
	}
}

// progressBar renders s as a bar with counts, rate and ETA:
//
//	orders ███████████░░░░░░░░░░░░░░░░░░░  37% 135/365 (2 failed) · 12.3 partitions/s · ETA 19s
func progressBar(s workflows.BackfillStatus) string {
	frac := 0.0
	if s.Total > 0 {
		frac = float64(s.Done+s.Failed) / float64(s.Total)
	}
	filled := int(frac * progressBarWidth)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s%s %3.0f%% %d/%d", s.Dataset, strings.Repeat("█", filled), strings.Repeat("░", progressBarWidth-filled),
		100*frac, s.Done+s.Failed, s.Total)
	if s.Failed > 0 {
		fmt.Fprintf(&b, " (%d failed)", s.Failed)
	}
	fmt.Fprintf(&b, " · %.1f partitions/s", s.PartitionsPerSecond)
	if s.ETA > 0 {
		fmt.Fprintf(&b, " · ETA %s", s.ETA)
	}
	if s.Status != workflows.BackfillRunning {
		fmt.Fprintf(&b, " · %s", s.Status)
	}
	return b.String()
}

// Exit codes of the backfill commands, beyond 0 (success), 1 (error) and
// 2 (usage), so that scripts can tell a partial backfill from a refused one.
const (
	// exitPartial: the backfill ended without writing every partition
	// (failed partitions, stopped at a failure, or cancelled).
	exitPartial = 3
	// exitRefused: nothing was done because dre refused: another backfill
	// of the dataset runs, the backfill rejected a control, or its cost
	// was over budget and not approved.
	exitRefused = 4
)

// backfillExitCodes is the help text that documents them.
const backfillExitCodes = `Exit codes: 0 every partition written (or, without --wait, the backfill
started); 1 an error (no connection, unknown dataset...); 2 a mistake in the
command line; 3 the backfill ended with partitions not written (failed,
skipped or cancelled); 4 refused (another backfill of the dataset runs, a
control the backfill rejected, a cost over budget not approved).`

// exitCodeError is an error that ends dre with a given exit code.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// refused marks err as a refusal (exit code 4).
func refused(format string, args ...any) error {
	return &exitCodeError{code: exitRefused, err: fmt.Errorf(format, args...)}
}
