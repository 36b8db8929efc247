package activities

import (
	"strings"
	"testing"

	"go.temporal.io/sdk/testsuite"
)

// failOnJan3 is copySelect with a division by zero on 2026-01-03 only: a
// failure no table or permission explains, so it counts as transient.
const failOnJan3 = "SELECT id, t, v FROM raw.src WHERE t >= @from AND t < @to AND 1 / (CASE WHEN @from = timestamptz '2026-01-03 00:00+00' THEN 0 ELSE 1 END) = 1"

func batchInput(run, sel string, days ...int) RewritePartitionsInput {
	in := RewritePartitionsInput{Warehouse: "local", Table: "public.dst", Select: sel, RunID: run, MaxAttempts: 1}
	for _, d := range days {
		in.Partitions = append(in.Partitions, jan(d))
	}
	return in
}

// rewriteBatch runs the batch activity, resuming from heartbeat details
// when resume is not nil.
func (f *backfillFixture) rewriteBatch(t *testing.T, in RewritePartitionsInput, resume *batchProgress) (RewritePartitionsResult, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(f.acts)
	if resume != nil {
		env.SetHeartbeatDetails(*resume)
	}
	v, err := env.ExecuteActivity(f.acts.RewritePartitions, in)
	if err != nil {
		return RewritePartitionsResult{}, err
	}
	var res RewritePartitionsResult
	return res, v.Get(&res)
}

func TestRewritePartitionsResumesAfterTheHeartbeatedOnes(t *testing.T) {
	f := newBackfillFixture(t)
	// A retried batch whose first two partitions were heartbeated as done:
	// they are reported from the heartbeat and not touched again.
	resume := &batchProgress{Outcomes: []PartitionOutcome{{Start: jan(1).Start}, {Start: jan(2).Start}}}
	resume.Outcomes[0].Checksum, resume.Outcomes[1].Checksum = "from-heartbeat", "from-heartbeat"
	res, err := f.rewriteBatch(t, batchInput("run-1", copySelect, 1, 2, 3, 4), resume)
	if err != nil || len(res.Outcomes) != 4 {
		t.Fatalf("batch = %+v, %v; want 4 outcomes", res, err)
	}
	if res.Outcomes[0].Checksum != "from-heartbeat" || res.Outcomes[2].Rows != 24 || res.Outcomes[3].Rows != 24 || res.Outcomes[3].Elapsed <= 0 {
		t.Errorf("outcomes %+v; want the first two from the heartbeat, the last two written and timed", res.Outcomes)
	}
	if n := f.count(t, "SELECT count(*) FROM public.dst"); n != 48 {
		t.Errorf("public.dst holds %d rows, want 48: only partitions 3 and 4 written", n)
	}
	if n := f.count(t, "SELECT count(*) FROM dre_meta.backfill_ledger WHERE table_name = 'public.dst'"); n != 2 {
		t.Errorf("ledger holds %d rows, want 2", n)
	}
}

func TestRewritePartitionsRecordsAFailedPartitionAndGoesOn(t *testing.T) {
	f := newBackfillFixture(t)
	res, err := f.rewriteBatch(t, batchInput("run-1", failOnJan3, 2, 3, 4), nil)
	if err != nil || len(res.Outcomes) != 3 {
		t.Fatalf("batch = %+v, %v; want 3 outcomes", res, err)
	}
	if o := res.Outcomes[1]; !o.Start.Equal(jan(3).Start) || !strings.Contains(o.Failure, "division by zero") || o.Rows != 0 {
		t.Errorf("outcome of 2026-01-03 = %+v; want its division by zero", o)
	}
	if res.Outcomes[0].Failure != "" || res.Outcomes[2].Rows != 24 {
		t.Errorf("outcomes %+v; want 2026-01-02 and 2026-01-04 written", res.Outcomes)
	}

	stop := batchInput("run-2", failOnJan3, 2, 3, 4)
	stop.StopOnFailure = true
	if res, err = f.rewriteBatch(t, stop, nil); err != nil || len(res.Outcomes) != 2 || res.Outcomes[1].Failure == "" {
		t.Errorf("stop-on-failure batch = %+v, %v; want it to end at 2026-01-03", res, err)
	}
}

func TestRewritePartitionsRetriesATransientFailureWhileAttemptsRemain(t *testing.T) {
	f := newBackfillFixture(t)
	in := batchInput("run-1", failOnJan3, 2, 3)
	in.MaxAttempts = 3
	_, err := f.rewriteBatch(t, in, nil)
	if err == nil || !strings.Contains(err.Error(), "division by zero") || !retryable(err) {
		t.Fatalf("error = %v; want the retryable division by zero, for Temporal to retry the batch", err)
	}
	// Its third try is the last: the partition is then reported, not retried.
	_, err = f.rewriteBatch(t, in, &batchProgress{Outcomes: []PartitionOutcome{{Start: jan(2).Start}}, Tries: 2})
	if err != nil {
		t.Errorf("last attempt = %v; want the failure recorded as an outcome", err)
	}
}
