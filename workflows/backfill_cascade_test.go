package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/internal/warehouse"
)

// cascadeCatalog is raw (daily) → daily (daily) → monthly (monthly).
func cascadeCatalog() *catalog.Catalog {
	ds := func(name, table string, g catalog.Granularity, up ...string) catalog.Dataset {
		return catalog.Dataset{
			Name: name, Warehouse: "local", Table: table, Upstream: up, Owner: catalog.Owner{Team: "owners"},
			Partition: &catalog.Partition{Column: "day", Granularity: g},
			Source:    &catalog.Source{Select: "SELECT * FROM src WHERE day >= {{ .From }} AND day < {{ .To }}"},
		}
	}
	return catalog.New([]catalog.Dataset{
		ds("raw", "public.raw", catalog.Day),
		ds("daily", "public.daily", catalog.Day, "raw"),
		withSLO(ds("monthly", "public.monthly", catalog.Month, "daily")),
	})
}

func withSLO(ds catalog.Dataset) catalog.Dataset {
	ds.SLOs = []catalog.SLO{{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: time.Hour}}}
	return ds
}

// rewriteSpan is when one partition of one table was rewritten, in
// workflow time.
type rewriteSpan struct {
	table      string
	start      time.Time
	began, end time.Time
}

// cascadeEnv runs the cascade with its children; every batch takes a
// minute and is recorded in spans.
// The monthly model has an SLO, frozen with reason freeze ("" not frozen),
// and every audit record is kept in audits.
func cascadeEnv(spans *[]rewriteSpan) *testsuite.TestWorkflowEnvironment {
	return frozenCascadeEnv(spans, "", nil)
}

func frozenCascadeEnv(spans *[]rewriteSpan, freeze string, audits *[]activities.AuditEntry) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	cat := cascadeCatalog()
	var slos *activities.SLOs
	env.OnActivity(slos.FreezeReason, mock.Anything, "monthly").Return(freeze, nil)
	var audit *activities.Audit
	env.OnActivity(audit.Record, mock.Anything, mock.Anything).Return(func(_ context.Context, e activities.AuditEntry) (activities.AuditRecorded, error) {
		*audits = append(*audits, e)
		return activities.AuditRecorded{}, nil
	}).Maybe()
	env.RegisterWorkflowWithOptions(Backfill, workflow.RegisterOptions{Name: BackfillWorkflowName})
	env.RegisterWorkflowWithOptions(BackfillCascade, workflow.RegisterOptions{Name: BackfillCascadeWorkflowName})
	env.RegisterActivity(&activities.Lineage{Catalog: cat})
	env.RegisterActivity(&activities.Policy{
		People:  people.NewDirectory(map[string]people.Person{"alice": {}, "bob": {}, "carol": {}}, map[string]people.Group{"owners": {People: []string{"alice"}}}),
		Catalog: cat, AllowUnsigned: true,
	})
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: BackfillCascadeWorkflowID("raw")})
	// Four workflows and their activities share the test's goroutines; on
	// a machine shared with CI a coroutine can wait over the default
	// second for a CPU, which is not a deadlock. A real one still fails.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 15 * time.Second})
	estimateMock(env)
	var mu sync.Mutex
	var a *activities.Backfills
	env.OnActivity(a.RewritePartitions, mock.Anything, mock.Anything).After(time.Minute).Return(
		func(_ context.Context, in activities.RewritePartitionsInput) (activities.RewritePartitionsResult, error) {
			mu.Lock()
			defer mu.Unlock()
			var res activities.RewritePartitionsResult
			end := env.Now()
			for _, p := range in.Partitions {
				*spans = append(*spans, rewriteSpan{table: in.Table, start: p.Start, began: end.Add(-time.Minute), end: end})
				res.Outcomes = append(res.Outcomes, activities.PartitionOutcome{Start: p.Start, RewritePartitionResult: activities.RewritePartitionResult{RewriteResult: warehouse.RewriteResult{Rows: 1}}})
			}
			return res, nil
		})
	return env
}

func cascadeInput() BackfillCascadeInput {
	return BackfillCascadeInput{Dataset: "raw", From: day(2026, 1, 20), To: day(2026, 2, 10), Concurrency: 2, PartitionsPerActivity: 1}
}

func TestBackfillCascadePipelinesInDependencyOrder(t *testing.T) {
	var spans []rewriteSpan
	env := cascadeEnv(&spans)
	env.ExecuteWorkflow(BackfillCascade, cascadeInput())
	var got BackfillCascadeStatus
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != BackfillDone || len(got.Datasets) != 3 {
		t.Fatalf("cascade %+v, want done over three datasets", got)
	}
	// The monthly model recomputes the two months covering the range.
	wantTotals := map[string]int{"raw": 21, "daily": 21, "monthly": 2}
	for _, d := range got.Datasets {
		if d.Total != wantTotals[d.Dataset] || d.Done != d.Total || d.Status != BackfillDone {
			t.Errorf("%s: %+v, want all %d partitions done", d.Dataset, d, wantTotals[d.Dataset])
		}
	}
	ended := map[string]time.Time{} // table/partition -> when its rewrite ended
	var lastRaw, firstDaily time.Time
	for _, s := range spans {
		ended[s.table+s.start.String()] = s.end
		if s.table == "public.raw" && s.end.After(lastRaw) {
			lastRaw = s.end
		}
		if s.table == "public.daily" && (firstDaily.IsZero() || s.began.Before(firstDaily)) {
			firstDaily = s.began
		}
	}
	if len(spans) != 44 {
		t.Errorf("%d rewrites, want 44: each partition once", len(spans))
	}
	for _, s := range spans {
		switch s.table {
		case "public.daily":
			if up, ok := ended["public.raw"+s.start.String()]; !ok || s.began.Before(up) {
				t.Errorf("daily %s began at %s, before raw's partition was written (%s)", s.start, s.began, up)
			}
		case "public.monthly":
			for d := maxTime(s.start, day(2026, 1, 20)); d.Before(s.start.AddDate(0, 1, 0)) && d.Before(day(2026, 2, 10)); d = d.AddDate(0, 0, 1) {
				if up := ended["public.daily"+d.String()]; s.began.Before(up) {
					t.Errorf("monthly %s began at %s, before daily %s was written (%s)", s.start, s.began, d, up)
				}
			}
		}
	}
	if !firstDaily.Before(lastRaw) {
		t.Errorf("the first daily partition began at %s, after raw's last ended at %s: level by level, not a pipeline", firstDaily, lastRaw)
	}
}

// TestBackfillCascadePauseResumeCancelReachEveryChild pauses the cascade
// early, resumes it much later and cancels it: nothing begins while it is
// paused or once it is cancelled, in any dataset.
func TestBackfillCascadePauseResumeCancelReachEveryChild(t *testing.T) {
	var spans []rewriteSpan
	env := cascadeEnv(&spans)
	t0 := env.Now()
	bad := sendUpdate(env, 30*time.Second, BackfillResumeUpdate)
	pause := sendUpdate(env, 3*time.Minute+30*time.Second, BackfillPauseUpdate)
	resume := sendUpdate(env, 20*time.Minute, BackfillResumeUpdate)
	cancel := sendUpdate(env, 22*time.Minute+30*time.Second, BackfillCancelUpdate)
	env.ExecuteWorkflow(BackfillCascade, cascadeInput())
	var got BackfillCascadeStatus
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if bad.rejected == nil || pause.rejected != nil || resume.rejected != nil || cancel.rejected != nil {
		t.Fatalf("updates: resume while running %v (want refused), pause %v, resume %v, cancel %v", bad.rejected, pause.rejected, resume.rejected, cancel.rejected)
	}
	var daily int
	for _, s := range spans {
		at := s.began.Sub(t0)
		if (at > 3*time.Minute+30*time.Second && at < 20*time.Minute) || at > 22*time.Minute+30*time.Second {
			t.Errorf("%s %s began at +%s, while the cascade was paused or after it was cancelled", s.table, s.start, at)
		}
		if s.table == "public.daily" {
			daily++
		}
	}
	if got.Status != BackfillCancelled || daily == 0 || len(spans) >= 44 {
		t.Fatalf("cascade %s after %d rewrites (%d daily); want cancelled part way, the daily model begun", got.Status, len(spans), daily)
	}
	for _, d := range got.Datasets {
		if d.Status != BackfillCancelled {
			t.Errorf("%s ended %s, want cancelled", d.Dataset, d.Status)
		}
	}
}

// TestBackfillCascadeTakesOneApprovalForEveryDataset: a freeze of the
// monthly model holds the whole cascade before anything is written; the
// override must be allowed for every dataset, the requester may not
// approve, and the children do not ask again.
func TestBackfillCascadeTakesOneApprovalForEveryDataset(t *testing.T) {
	var spans []rewriteSpan
	var audits []activities.AuditEntry
	env := frozenCascadeEnv(&spans, "the SLO error budget of monthly is exhausted", &audits)
	in := cascadeInput()
	in.Requester = "carol"
	var held BackfillCascadeStatus
	var writesWhileHeld int
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(StatusQuery)
		if err == nil {
			_ = v.Get(&held)
		}
		writesWhileHeld = len(spans)
	}, time.Hour)
	self := sendUpdate(env, 2*time.Hour, BackfillApproveUpdate, BackfillApproval{By: "carol"})
	notOwner := sendUpdate(env, 2*time.Hour, BackfillApproveUpdate, BackfillApproval{By: "bob"})
	owner := sendUpdate(env, 3*time.Hour, BackfillApproveUpdate, BackfillApproval{By: "alice"})
	env.ExecuteWorkflow(BackfillCascade, in)
	var got BackfillCascadeStatus
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if held.Status != BackfillAwaitingApproval || writesWhileHeld != 0 {
		t.Fatalf("while frozen: %s after %d writes; want awaiting approval, nothing written", held.Status, writesWhileHeld)
	}
	if self.rejected == nil || notOwner.rejected == nil || owner.rejected != nil {
		t.Fatalf("approvals: requester %v, non-owner %v (want both refused), owner %v", self.rejected, notOwner.rejected, owner.rejected)
	}
	if got.Status != BackfillDone || got.Approver != "alice" || len(spans) != 44 {
		t.Fatalf("cascade %s approved by %q with %d rewrites; want done by alice, 44 rewrites", got.Status, got.Approver, len(spans))
	}
	if len(audits) != 1 || audits[0].Action != AuditBackfillFreezeOverride || audits[0].Actor != "alice" {
		t.Errorf("audit %+v, want one freeze override by alice", audits)
	}
}
