package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// partitionFunc is a test's stand-in for rewriting one partition.
type partitionFunc func(activities.RewritePartitionInput) (activities.RewritePartitionResult, error)

// onBatches mocks the batch activity with a double that runs fn on each
// partition the way RewritePartitions does: up to MaxAttempts tries, a
// partition that still fails becomes a failed outcome, and StopOnFailure
// ends the batch there. Each batch takes `after` of workflow time.
func onBatches(env *testsuite.TestWorkflowEnvironment, after time.Duration, fn partitionFunc) {
	var a *activities.Backfills
	env.OnActivity(a.RewritePartitions, mock.Anything, mock.Anything).After(after).Return(
		func(_ context.Context, in activities.RewritePartitionsInput) (activities.RewritePartitionsResult, error) {
			var res activities.RewritePartitionsResult
			for _, p := range in.Partitions {
				out := runPartition(in, p, fn)
				res.Outcomes = append(res.Outcomes, out)
				if out.Failure != "" && in.StopOnFailure {
					break
				}
			}
			return res, nil
		})
}

func runPartition(in activities.RewritePartitionsInput, p warehouse.Partition, fn partitionFunc) activities.PartitionOutcome {
	one := activities.RewritePartitionInput{Warehouse: in.Warehouse, Table: in.Table, Partition: p, Select: in.Select, RunID: in.RunID, Validation: in.Validation, SelectRole: in.SelectRole}
	var err error
	for range max(1, in.MaxAttempts) {
		var res activities.RewritePartitionResult
		if res, err = fn(one); err == nil {
			return activities.PartitionOutcome{Start: p.Start, RewritePartitionResult: res, Elapsed: 100 * time.Millisecond}
		}
	}
	return activities.PartitionOutcome{Start: p.Start, Failure: err.Error()}
}

func TestBackfillBatchesPartitionsByTheirMeasuredTime(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var mu sync.Mutex
	var sizes []int
	seen := map[time.Time]int{}
	var a *activities.Backfills
	env.OnActivity(a.RewritePartitions, mock.Anything, mock.Anything).After(time.Second).Return(
		func(_ context.Context, in activities.RewritePartitionsInput) (activities.RewritePartitionsResult, error) {
			mu.Lock()
			defer mu.Unlock()
			sizes = append(sizes, len(in.Partitions))
			var res activities.RewritePartitionsResult
			for _, p := range in.Partitions {
				seen[p.Start]++
				res.Outcomes = append(res.Outcomes, activities.PartitionOutcome{Start: p.Start, Elapsed: 100 * time.Millisecond,
					RewritePartitionResult: activities.RewritePartitionResult{RewriteResult: warehouse.RewriteResult{Rows: 3}}})
			}
			return res, nil
		})
	in := backfillInput(100)
	in.PartitionsPerActivity, in.Concurrency = 0, 2
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != BackfillDone || got.Done != 100 || got.Rows != 300 || len(seen) != 100 {
		t.Fatalf("report %+v, %d distinct partitions; want all 100 done once", got.BackfillStatus, len(seen))
	}
	for start, n := range seen {
		if n != 1 {
			t.Errorf("partition %s was in %d batches, want 1", start, n)
		}
	}
	// 100 ms a partition: batches grow from 2 to 1.5s/100ms = 15.
	if sizes[0] != backfillFirstBatch || slicesMax(sizes) != 15 || len(sizes) > 12 {
		t.Errorf("batch sizes %v; want %d first, at most 15, in few activities", sizes, backfillFirstBatch)
	}
}

func slicesMax(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func TestBackfillBatchOutcomesStayPerPartition(t *testing.T) {
	tests := []struct {
		policy                 string
		wantStatus             string
		wantDone, wantFailures int
	}{
		{BackfillSkip, BackfillPartial, 5, 1},
		{BackfillStop, BackfillFailed, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := newPolicyEnv(&s)
			onBatches(env, 0, func(in activities.RewritePartitionInput) (activities.RewritePartitionResult, error) {
				if in.Partition.Start.Equal(day(2026, 1, 2)) {
					return activities.RewritePartitionResult{}, errSQL
				}
				return activities.RewritePartitionResult{RewriteResult: warehouse.RewriteResult{Rows: 7}}, nil
			})
			in := backfillInput(6)
			in.PartitionsPerActivity, in.Concurrency, in.OnFailure = 6, 1, tt.policy
			env.ExecuteWorkflow(Backfill, in)
			var got BackfillReport
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || got.Done != tt.wantDone || got.Failed != 1 || got.Pending != 6-tt.wantDone-1 {
				t.Errorf("report %+v; want %s, %d done, 1 failed, the rest pending", got.BackfillStatus, tt.wantStatus, tt.wantDone)
			}
			if len(got.Failures) != 1 || !got.Failures[0].Start.Equal(day(2026, 1, 2)) || !strings.Contains(got.Failures[0].Reason, "raw.orders does not exist") {
				t.Errorf("failures %+v; want 2026-01-02 with its SQL error", got.Failures)
			}
		})
	}
}

func TestBackfillFailedBatchReportsEachPartition(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := newPolicyEnv(&s)
	var a *activities.Backfills
	env.OnActivity(a.RewritePartitions, mock.Anything, mock.Anything).Return(activities.RewritePartitionsResult{},
		temporal.NewNonRetryableApplicationError("warehouse \"local\" refused the connection", "Unavailable", errors.New("refused")))
	in := backfillInput(3)
	in.PartitionsPerActivity, in.OnFailure = 3, BackfillSkip
	env.ExecuteWorkflow(Backfill, in)
	var got BackfillReport
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != BackfillPartial || got.Failed != 3 || len(got.Failures) != 3 || !strings.Contains(got.Failures[2].Reason, "refused the connection") {
		t.Errorf("report %+v; want each of the 3 partitions failed with the batch's error", got.BackfillStatus)
	}
}
