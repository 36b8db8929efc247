package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/workflows"
)

func TestProgressBarShowsCountsRateAndETA(t *testing.T) {
	s := workflows.BackfillStatus{Dataset: "orders", Status: workflows.BackfillRunning, Total: 365, Done: 135, Failed: 2,
		PartitionsPerSecond: 12.34, ETA: 19 * time.Second}
	got := progressBar(s)
	want := "orders ███████████░░░░░░░░░░░░░░░░░░░  38% 137/365 (2 failed) · 12.3 partitions/s · ETA 19s"
	if got != want {
		t.Errorf("progressBar =\n%q, want\n%q", got, want)
	}
	s.Status, s.Done, s.Failed, s.ETA = workflows.BackfillPaused, 365, 0, 0
	if got := progressBar(s); !strings.Contains(got, "██████████████████████████████ 100% 365/365") || !strings.HasSuffix(got, "· paused") {
		t.Errorf("full, paused bar = %q; want a full bar that names the status", got)
	}
}

func TestProgressPrinterWritesPlainLinesWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	p := newProgressPrinter(&out)
	s := workflows.BackfillStatus{Dataset: "orders", Status: workflows.BackfillRunning, Total: 10, Done: 1}
	p.update(s)
	s.PartitionsPerSecond = 2 // only the rate changed: no new line
	p.update(s)
	s.Done = 2
	p.update(s)
	p.end()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || strings.ContainsAny(out.String(), "\r\x1b█") || !strings.HasPrefix(lines[1], "orders: running, 2/10 partitions") {
		t.Errorf("output %q; want two plain lines, one per change in the counts, no bar", out.String())
	}
}

func TestBackfillExitCodes(t *testing.T) {
	tests := []struct {
		status string
		want   int // 0: no error
	}{
		{workflows.BackfillDone, 0},
		{workflows.BackfillPartial, exitPartial},
		{workflows.BackfillFailed, exitPartial},
		{workflows.BackfillCancelled, exitPartial},
		{workflows.BackfillNotApproved, exitRefused},
	}
	for _, tt := range tests {
		err := finishFollow(workflows.BackfillReport{BackfillStatus: workflows.BackfillStatus{Dataset: "orders", Status: tt.status}}, nil, &bytes.Buffer{})
		code := 0
		if coded, ok := err.(*exitCodeError); ok {
			code = coded.code
		} else if err != nil {
			code = 1
		}
		if code != tt.want {
			t.Errorf("a backfill that ended %s exits %d (%v), want %d", tt.status, code, err, tt.want)
		}
	}
}
