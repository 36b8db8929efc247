package e2e

import (
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/schedules"
	"github.com/dre-dev/dre/workflows"
)

func TestLifecycleSweepStartsEachDueDeprecationOnce(t *testing.T) {
	e := deprecateSetup(t)
	startDeprecateWorker(t, e)
	createDeprecateTable(t, "dep_sweep_new")
	createDeprecateTable(t, "dep_sweep_old")
	if res := clitest.Run(t, e, "deprecate", "start", "dep_sweep_old"); res.Code != 0 {
		t.Fatalf("start dep_sweep_old: exit %d, stderr %q", res.Code, res.Stderr)
	}
	t.Cleanup(func() { cancelDeprecation(t, e, "dep_sweep_old") })

	opts := client.StartWorkflowOptions{ID: "lifecycle-sweep-e2e", TaskQueue: e["DRE_TASK_QUEUE"]}
	run, err := env.Client.ExecuteWorkflow(t.Context(), opts, workflows.LifecycleSweepWorkflowName, sweepInput(t, e))
	if err != nil {
		t.Fatal(err)
	}
	var got workflows.LifecycleSweepResult
	if err := run.Get(t.Context(), &got); err != nil {
		t.Fatalf("the sweep failed: %v", err)
	}
	t.Cleanup(func() { cancelDeprecation(t, e, "dep_sweep_new") })
	if !slices.Equal(got.Started, []string{"dep_sweep_new"}) || !slices.Equal(got.Skipped, []string{"dep_sweep_old"}) {
		t.Fatalf("sweep result %+v; want dep_sweep_new started, dep_sweep_old skipped and dep_sweep_later (not due) left alone", got)
	}
	s := awaitDeprecation(t, "dep_sweep_new", "the announce", func(s workflows.DeprecateStatus) bool {
		return strings.Contains(timelineText(s), "announced")
	})
	if by := announcedBy(s); by != "schedule:lifecycle-sweep" {
		t.Errorf("dep_sweep_new was announced by %q, want the sweep\n%s", by, timelineText(s))
	}
	recordHistory(t, run.GetID(), "lifecycle-sweep-started-and-skipped.json")
}

// sweepInput is the input the lifecycle-sweep schedule carries for this
// catalog, cut down to this test's datasets so that the sweep starts no
// deprecation another test owns.
func sweepInput(t *testing.T, e map[string]string) workflows.LifecycleSweepInput {
	t.Helper()
	planned := schedules.FromCatalog(deprecateCat, e["DRE_TASK_QUEUE"])
	if len(planned) != 1 {
		t.Fatalf("the catalog plans %d schedules, want the lifecycle sweep", len(planned))
	}
	in := planned[0].Args[0].(workflows.LifecycleSweepInput)
	in.Datasets = slices.DeleteFunc(in.Datasets, func(ds catalog.Dataset) bool { return !strings.HasPrefix(ds.Name, "dep_sweep_") })
	if len(in.Datasets) != 3 {
		t.Fatalf("the sweep's input has %d of the test's datasets, want 3", len(in.Datasets))
	}
	return in
}

// announcedBy is who the timeline's announce line names.
func announcedBy(s workflows.DeprecateStatus) string {
	for _, ev := range s.Timeline {
		if strings.HasPrefix(ev.What, "announced") {
			return ev.By
		}
	}
	return ""
}

// cancelDeprecation cancels a test's deprecation, which puts its table back.
func cancelDeprecation(t *testing.T, e map[string]string, dataset string) {
	t.Helper()
	if res := clitest.Run(t, e, "deprecate", "cancel", dataset, "--reason", "end of the test"); res.Code != 0 {
		t.Errorf("cancel %s: exit %d, stderr %q", dataset, res.Code, res.Stderr)
	}
}
