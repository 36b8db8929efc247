package cluster

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

// scaleClockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times:
// 100 on every Linux architecture Go supports.
const scaleClockTicks = 100

// scaleCPUSeconds is the user and system CPU time a process has used.
func scaleCPUSeconds(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after its
	// closing parenthesis start at field 3, the state.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the name, want at least 13", pid, len(fields))
	}
	var ticks float64
	for _, f := range fields[11:13] { // utime and stime, fields 14 and 15
		n, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return ticks / scaleClockTicks, nil
}

// scalePeakRSSMiB is a process's peak resident set (VmHWM).
func scalePeakRSSMiB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kib float64
			if _, err := fmt.Sscan(rest, &kib); err != nil {
				return 0, fmt.Errorf("/proc/%d/status VmHWM: %w", pid, err)
			}
			return kib / 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}

// scaleLoad is /proc/loadavg's first three fields, as uptime shows them.
func scaleLoad() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	return strings.Join(f[:min(3, len(f))], " ")
}

// scaleDatabases are the databases whose growth the run reports: Temporal's
// persistence and visibility stores, and dre's state (SLO observations).
var scaleDatabases = []string{"temporal", "temporal_visibility", "dre_state"}

// scaleSample is one minute's reading of the machine.
type scaleSample struct {
	At        time.Time
	CPU       map[string]float64 // CPU seconds so far, by process name
	DBBytes   map[string]int64   // pg_database_size by database
	LoadAvg   string
	Completed int // backfill partitions done so far, all backfills
}

// scaleSampleNow reads the CPU time of each named process and the size of
// each database.
func scaleSampleNow(ctx context.Context, conn *pgx.Conn, pids map[string]int) (scaleSample, error) {
	s := scaleSample{At: time.Now(), CPU: map[string]float64{}, DBBytes: map[string]int64{}, LoadAvg: scaleLoad()}
	for name, pid := range pids {
		cpu, err := scaleCPUSeconds(pid)
		if err != nil {
			return s, fmt.Errorf("%s: %w", name, err)
		}
		s.CPU[name] = cpu
	}
	for _, db := range scaleDatabases {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT pg_database_size($1)", db).Scan(&n); err != nil {
			return s, fmt.Errorf("size of %s: %w", db, err)
		}
		s.DBBytes[db] = n
	}
	return s, nil
}

// scaleLatencies collects the latency of visibility queries while the
// load runs, from one goroutine.
type scaleLatencies struct {
	mu      sync.Mutex
	list    []time.Duration
	count   []time.Duration
	errors  int
	lastErr error
}

// scaleListQuery is what `dre slo status` and the UI's list ask for: the
// running evaluators, a page at a time.
var scaleListQuery = workflows.KindQuery(workflows.KindSLOEval) + ` AND ExecutionStatus = "Running"`

// probe lists the first page of 100 running evaluators and counts them
// all, once a second until ctx ends: a dashboard's or an operator's
// query rate, not a load test of its own.
func (l *scaleLatencies) probe(ctx context.Context, c client.Client) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		t0 := time.Now()
		_, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: scaleListQuery, PageSize: 100})
		t1 := time.Now()
		_, cerr := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: scaleListQuery})
		t2 := time.Now()
		if ctx.Err() != nil {
			return
		}
		l.mu.Lock()
		switch {
		case err != nil || cerr != nil:
			l.errors++
			l.lastErr = fmt.Errorf("list: %v; count: %v", err, cerr)
		default:
			l.list = append(l.list, t1.Sub(t0))
			l.count = append(l.count, t2.Sub(t1))
		}
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// scaleQuantileMs is the q-quantile (nearest rank) of ds in milliseconds.
func scaleQuantileMs(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, int(q*float64(len(s))))
	return float64(s[i].Microseconds()) / 1000
}
