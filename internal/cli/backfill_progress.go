package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dre-dev/dre/workflows"
)

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
