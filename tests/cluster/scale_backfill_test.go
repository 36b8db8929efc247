package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/cli"
	"github.com/dre-dev/dre/tests/demoenv"
	"github.com/dre-dev/dre/workflows"
)

// scaleBackfillLoad keeps sz.Backfills backfills running through the
// window: each slot starts a backfill of the next dataset with `dre
// backfill start`, waits for its report, and starts another until the
// window ends. The throughput then is that of backfills under the
// evaluators' load for the whole window, not of a burst at its start.
type scaleBackfillLoad struct {
	c        client.Client
	cliEnv   map[string]string
	datasets int
	from, to string
	next     atomic.Int64
	started  time.Time
	wg       sync.WaitGroup

	mu      sync.Mutex
	figures scaleBackfillFigures
	last    time.Time
	errs    []string
}

// startBackfillLoad starts the slots; they stop starting backfills once
// ctx ends, and wait finishes the ones in flight.
func startBackfillLoad(ctx context.Context, c client.Client, cliEnv map[string]string, sz scaleSize) *scaleBackfillLoad {
	l := &scaleBackfillLoad{c: c, cliEnv: cliEnv, datasets: sz.Datasets, started: time.Now(),
		from: demoenv.Day(5 + sz.BackfillDays), to: demoenv.Day(5)}
	for range sz.Backfills {
		l.wg.Go(func() { l.slot(ctx) })
	}
	return l
}

// slot runs one backfill after another until ctx ends. Datasets are taken
// in a stride through the catalog; a small catalog starts a dataset again
// once its last backfill closed (a closed workflow ID may be reused).
func (l *scaleBackfillLoad) slot(ctx context.Context) {
	for ctx.Err() == nil {
		i := int(l.next.Add(1)-1) % l.datasets
		name, _ := scaleDataset(i * 7919 % l.datasets) // a prime stride spreads them
		if err := l.one(name); err != nil {
			l.fail(err)
			return
		}
	}
}

// one starts a backfill of the dataset through the CLI and waits for its
// report, which must say done with no partition failed.
func (l *scaleBackfillLoad) one(name string) error {
	id := workflows.BackfillWorkflowID(name)
	if d, err := l.c.DescribeWorkflowExecution(context.Background(), id, ""); err == nil && d.GetWorkflowExecutionInfo().GetCloseTime() == nil {
		return nil // still running in another slot: a small catalog wrapped around
	}
	var stdout, stderr strings.Builder
	code := cli.Main(context.Background(), cli.Options{
		Args:   []string{"backfill", "start", name, "--from", l.from, "--to", l.to},
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		Env: func(k string) (string, bool) { v, ok := l.cliEnv[k]; return v, ok },
	})
	if code != 0 {
		return fmt.Errorf("dre backfill start %s: exit %d: %s", name, code, stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var report workflows.BackfillReport
	if err := l.c.GetWorkflow(ctx, id, "").Get(ctx, &report); err != nil {
		return fmt.Errorf("backfill of %s: %w", name, err)
	}
	if report.Status != workflows.BackfillDone || report.Failed != 0 {
		return fmt.Errorf("backfill of %s: %s, %d done, %d failed; want done without failures (%s)", name, report.Status, report.Done, report.Failed, stdout.String())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.figures.Backfills++
	l.figures.Partitions += report.Done
	l.figures.Rows += report.Rows
	l.last = time.Now()
	return nil
}

func (l *scaleBackfillLoad) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err.Error())
}

// scaleBackfillFigures is the backfills' throughput under the SLO load.
type scaleBackfillFigures struct {
	Backfills        int     `json:"backfills"`
	Partitions       int     `json:"partitions"`
	Rows             int64   `json:"rows"`
	Seconds          float64 `json:"seconds"` // from the first start to the last report
	PartitionsPerSec float64 `json:"partitions_per_sec"`
	RowsPerSec       float64 `json:"rows_per_sec"`
}

// wait lets the backfills in flight finish and returns the figures, or
// the failures.
func (l *scaleBackfillLoad) wait() (scaleBackfillFigures, []string) {
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.figures
	if f.Backfills > 0 {
		f.Seconds = l.last.Sub(l.started).Seconds()
		f.PartitionsPerSec = float64(f.Partitions) / f.Seconds
		f.RowsPerSec = float64(f.Rows) / f.Seconds
	}
	return f, l.errs
}
