package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/schedules"
	"github.com/dre-dev/dre/workflows"
)

func TestSchedulesSyncIsIdempotentAndFollowsTheCatalog(t *testing.T) {
	e := deprecateSetup(t)
	sweep := env.Client.ScheduleClient().GetHandle(context.Background(), schedules.LifecycleSweepID)
	t.Cleanup(func() { _ = sweep.Delete(context.Background()) })

	res := clitest.Run(t, e, "schedules", "sync", "--dry-run")
	if res.Code != 0 || !strings.Contains(res.Stdout, "+ "+schedules.LifecycleSweepID) || !strings.Contains(res.Stdout, "dry run: 1 changes") {
		t.Fatalf("dry run: exit %d, stdout %q; want the sweep to be created", res.Code, res.Stdout)
	}
	if _, err := sweep.Describe(t.Context()); err == nil {
		t.Fatal("the dry run created the schedule")
	}
	if res := clitest.Run(t, e, "schedules", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "applied 1 changes") {
		t.Fatalf("sync: exit %d, stdout %q", res.Code, res.Stdout)
	}
	d, err := sweep.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	action, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || action.Workflow != workflows.LifecycleSweepWorkflowName || action.TaskQueue != e["DRE_TASK_QUEUE"] {
		t.Errorf("schedule action %+v; want %s on the configured task queue", d.Schedule.Action, workflows.LifecycleSweepWorkflowName)
	}
	if res := clitest.Run(t, e, "schedules", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "in step with the catalog") {
		t.Errorf("second sync: exit %d, stdout %q; want nothing to change", res.Code, res.Stdout)
	}

	moved := copyEnv(e)
	moved["DRE_TASK_QUEUE"] = "elsewhere"
	if res := clitest.Run(t, moved, "schedules", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "~ "+schedules.LifecycleSweepID) {
		t.Errorf("sync after a change: exit %d, stdout %q; want an update", res.Code, res.Stdout)
	}
	empty := copyEnv(e)
	empty["DRE_CONFIG"] = filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(empty["DRE_CONFIG"], []byte("datasets: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := clitest.Run(t, empty, "schedules", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "- "+schedules.LifecycleSweepID) {
		t.Errorf("sync without lifecycles: exit %d, stdout %q; want the sweep deleted", res.Code, res.Stdout)
	}
	if _, err := sweep.Describe(t.Context()); err == nil {
		t.Error("the sweep schedule survived a catalog without lifecycles")
	}
}

func copyEnv(e map[string]string) map[string]string {
	out := make(map[string]string, len(e))
	for k, v := range e {
		out[k] = v
	}
	return out
}

func TestDeprecatePlanPrintsEveryPhaseAndStartsNothing(t *testing.T) {
	e := deprecateSetup(t)
	before := countWorkflows(t)
	res := clitest.Run(t, e, "deprecate", "plan", "dep_restart")
	for _, w := range []string{"announce", "remind", "soft-delete", "moved to dre_archive.public_dep_restart_", "snapshot", "final       drop"} {
		if !strings.Contains(res.Stdout, w) {
			t.Errorf("plan lacks %q:\n%s", w, res.Stdout)
		}
	}
	if res.Code != 0 || countWorkflows(t) != before {
		t.Errorf("plan: exit %d, workflows %d → %d; want exit 0 and nothing started", res.Code, before, countWorkflows(t))
	}
	if res := clitest.Run(t, e, "deprecate", "plan", "dep_gat"); res.Code != 1 || !strings.Contains(res.Stderr, `did you mean "dep_gate"`) {
		t.Errorf("plan of a misspelt dataset: exit %d, stderr %q; want a suggestion", res.Code, res.Stderr)
	}
}
