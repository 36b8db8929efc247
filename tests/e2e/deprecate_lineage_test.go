package e2e

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// A table with a downstream model in the catalog's lineage holds at the
// usage gate, naming the model and its owner, and stays in place.
func TestDeprecateHoldsAtTheUsageGateForADownstreamModel(t *testing.T) {
	e := deprecateSetup(t)
	startDeprecateWorker(t, e)
	createDeprecateTable(t, "dep_feeds")
	if res := clitest.Run(t, e, "deprecate", "plan", "dep_feeds"); res.Code != 0 || !strings.Contains(res.Stdout, "dep_feeds_model") {
		t.Errorf("plan: exit %d; want dep_feeds_model listed as a consumer", res.Code)
	}
	if res := clitest.Run(t, e, "deprecate", "start", "dep_feeds"); res.Code != 0 {
		t.Fatalf("start: exit %d", res.Code)
	}
	s := awaitDeprecation(t, "dep_feeds", "a pause", func(s workflows.DeprecateStatus) bool { return s.Pause != nil })
	if s.Phase != workflows.DeprecateUsageGate || s.Status != workflows.DeprecateAwaitingOwner ||
		!strings.Contains(s.Pause.Reason, "still feeds 1 downstream datasets: dep_feeds_model (growth)") {
		t.Fatalf("paused in %s (%+v); want the usage gate holding for dep_feeds_model\n%s", s.Phase, s.Pause, timelineText(s))
	}
	if !tableExists(t, "public.dep_feeds") || s.Archived != "" {
		t.Errorf("the table was moved (archived %q) although a model is computed from it", s.Archived)
	}
	if res := clitest.Run(t, e, "deprecate", "cancel", "dep_feeds", "--reason", "the model still reads it"); res.Code != 0 {
		t.Fatalf("cancel at the gate: exit %d", res.Code)
	}
	var end workflows.DeprecateStatus
	if err := env.Client.GetWorkflow(t.Context(), workflows.DeprecateWorkflowID("dep_feeds"), "").Get(t.Context(), &end); err != nil {
		t.Fatalf("the cancelled deprecation ended with %v", err)
	}
	if !tableExists(t, "public.dep_feeds") {
		t.Error("the table is gone after the deprecation was cancelled at the gate")
	}
	recordHistory(t, workflows.DeprecateWorkflowID("dep_feeds"), "deprecate-held-for-downstream-then-cancelled.json")
}
