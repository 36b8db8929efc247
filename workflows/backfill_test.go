package workflows

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestPlanPartitions(t *testing.T) {
	tests := []struct {
		name     string
		g        catalog.Granularity
		from, to time.Time
		want     []string // partition starts and the last end
	}{
		{"hours across midnight", catalog.Hour, time.Date(2026, 1, 1, 22, 0, 0, 0, time.UTC), day(2026, 1, 2).Add(time.Hour),
			[]string{"2026-01-01T22:00", "2026-01-01T23:00", "2026-01-02T00:00", "2026-01-02T01:00"}},
		{"days across a month end", catalog.Day, day(2026, 1, 30), day(2026, 2, 2),
			[]string{"2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02"}},
		{"days across a leap day", catalog.Day, day(2028, 2, 28), day(2028, 3, 1),
			[]string{"2028-02-28", "2028-02-29", "2028-03-01"}},
		{"months of different lengths", catalog.Month, day(2026, 1, 1), day(2026, 4, 1),
			[]string{"2026-01", "2026-02", "2026-03", "2026-04"}},
		{"months across a year end", catalog.Month, day(2025, 12, 1), day(2026, 2, 1),
			[]string{"2025-12", "2026-01", "2026-02"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := PlanPartitions(tt.g, "d", tt.from, tt.to, 0)
			var got []string
			for i, p := range parts {
				got = append(got, PartitionLabel(tt.g, p.Start))
				if i > 0 && !parts[i-1].End.Equal(p.Start) {
					t.Errorf("partition %d starts at %s, not where %d ended (%s)", i, p.Start, i-1, parts[i-1].End)
				}
			}
			got = append(got, PartitionLabel(tt.g, parts[len(parts)-1].End))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("partitions = %v, want %v", got, tt.want)
			}
			if n := countPartitions(tt.g, tt.from, tt.to); n != len(tt.want)-1 {
				t.Errorf("countPartitions = %d, want %d", n, len(tt.want)-1)
			}
		})
	}
}

// backfillDataset is a daily-partitioned dataset copied from a select.
func backfillDataset() catalog.Dataset {
	return catalog.Dataset{
		Name: "orders", Warehouse: "local", Table: "public.orders",
		Partition: &catalog.Partition{Column: "order_date", Granularity: catalog.Day},
		Source:    &catalog.Source{Select: "SELECT * FROM raw.orders WHERE t >= {{ .From }} AND t < {{ .To }}"},
	}
}

// backfillInput asks for one partition per activity, so that the tests of
// controls and concurrency can count in whole activities of a minute each;
// backfill_batch_test.go covers batches.
func backfillInput(days int) BackfillInput {
	return BackfillInput{Dataset: backfillDataset(), From: day(2026, 1, 1), To: day(2026, 1, 1+days), PartitionsPerActivity: 1}
}

func TestBackfillRejectsInputItCannotHonour(t *testing.T) {
	noPartition := backfillInput(3)
	noPartition.Dataset.Partition = nil
	midDay := backfillInput(3)
	midDay.From = midDay.From.Add(5 * time.Hour)
	backwards := backfillInput(3)
	backwards.To = backwards.From
	badPolicy := backfillInput(3)
	badPolicy.OnFailure = "retry-forever"
	noSource := backfillInput(3)
	noSource.Dataset.Source = nil
	tests := map[string]struct {
		in   BackfillInput
		want string
	}{
		"no partition config": {noPartition, "add partition:"},
		"unaligned from":      {midDay, "is not at a day boundary of orders; use 2026-01-01"},
		"empty range":         {backwards, "is not before"},
		"unknown policy":      {badPolicy, `failure policy "retry-forever" is unknown`},
		"no select":           {noSource, "pass a SELECT"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := newPolicyEnv(&s)
			env.ExecuteWorkflow(Backfill, tt.in)
			err := env.GetWorkflowError()
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != ErrInvalidInput || !strings.Contains(app.Message(), tt.want) {
				t.Fatalf("error = %v, want an %s error containing %q", err, ErrInvalidInput, tt.want)
			}
		})
	}
}

// rewriteMock makes every batch take a minute of workflow time and each
// partition write 10 rows, recording the partitions it saw (activities run
// on their own goroutines, hence the lock).
func rewriteMock(env *testsuite.TestWorkflowEnvironment, seen *[]activities.RewritePartitionInput) {
	var mu sync.Mutex
	onBatches(env, time.Minute, func(in activities.RewritePartitionInput) (activities.RewritePartitionResult, error) {
		mu.Lock()
		defer mu.Unlock()
		*seen = append(*seen, in)
		return activities.RewritePartitionResult{RewriteResult: warehouse.RewriteResult{Rows: 10}}, nil
	})
}

func queryStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) BackfillStatus {
	t.Helper()
	v, err := env.QueryWorkflow(StatusQuery)
	if err != nil {
		t.Fatalf("status query: %v", err)
	}
	var s BackfillStatus
	if err := v.Get(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBackfillRunsBoundedConcurrency(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var during BackfillStatus
	env.RegisterDelayedCallback(func() { during = queryStatus(t, env) }, 30*time.Second)
	in := backfillInput(6)
	in.Concurrency = 2
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if during.Running != 2 || during.Pending != 4 || during.Status != BackfillRunning {
		t.Errorf("after 30s: %+v, want 2 running and 4 pending", during)
	}
	if got.Status != BackfillDone || got.Done != 6 || got.Rows != 60 || got.Elapsed != 3*time.Minute {
		t.Errorf("report = %+v, want done, 6 partitions, 60 rows in 3m (two at a time)", got.BackfillStatus)
	}
	starts := map[time.Time]bool{}
	for _, in := range seen {
		starts[in.Partition.Start] = true
		if in.RunID != seen[0].RunID || in.RunID == "" || !strings.Contains(in.Select, "@from") {
			t.Errorf("partition %s: RunID %q, Select %q; want one ledger key for all and @from/@to bounds", in.Partition.Start, in.RunID, in.Select)
		}
	}
	if len(seen) != 6 || len(starts) != 6 {
		t.Errorf("rewrote %d partitions (%d distinct), want 6 once each", len(seen), len(starts))
	}
}

func TestBackfillContinuesAsNewCarryingProgress(t *testing.T) {
	in := backfillInput(5)
	in.PartitionsPerRun = 3
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var first []activities.RewritePartitionInput
	rewriteMock(env, &first)
	env.ExecuteWorkflow(Backfill, in)
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("first run ended with %v, want continue-as-new after 3 partitions", err)
	}
	var next BackfillInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	p := next.Progress
	if p == nil || p.Done != 3 || p.Rows != 30 || !p.Next.Equal(day(2026, 1, 4)) || p.LedgerRun != first[0].RunID {
		t.Fatalf("carried progress %+v, want 3 done, 30 rows, next 2026-01-04, ledger run %q", p, first[0].RunID)
	}

	env = newPolicyEnv(&s)
	var second []activities.RewritePartitionInput
	rewriteMock(env, &second)
	env.ExecuteWorkflow(Backfill, next)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Done != 5 || got.Rows != 50 || got.Total != 5 || len(second) != 2 || second[0].RunID != first[0].RunID {
		t.Errorf("second run: report %+v, %d rewrites; want 5 done in all, 2 new rewrites keyed by the first run", got.BackfillStatus, len(second))
	}
}
