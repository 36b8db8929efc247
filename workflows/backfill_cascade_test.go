package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
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
		ds("monthly", "public.monthly", catalog.Month, "daily"),
	})
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
func cascadeEnv(spans *[]rewriteSpan) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	cat := cascadeCatalog()
	env.RegisterWorkflowWithOptions(Backfill, workflow.RegisterOptions{Name: BackfillWorkflowName})
	env.RegisterWorkflowWithOptions(BackfillCascade, workflow.RegisterOptions{Name: BackfillCascadeWorkflowName})
	env.RegisterActivity(&activities.Lineage{Catalog: cat})
	env.RegisterActivity(&activities.Policy{
		People:  people.NewDirectory(map[string]people.Person{"alice": {}}, map[string]people.Group{"owners": {People: []string{"alice"}}}),
		Catalog: cat, AllowUnsigned: true,
	})
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: BackfillCascadeWorkflowID("raw")})
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
