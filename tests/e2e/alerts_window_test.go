package e2e

import (
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// A downstream alert joins an upstream incident only while it is recent:
// SignalRecentTriage reads the incident's start time from the real
// Temporal server, and refuses missing and closed incidents.
func TestSignalRecentTriageHonoursTheWindow(t *testing.T) {
	ctx := t.Context()
	ds := catalog.Dataset{Name: "window_raw", Warehouse: "local", Table: "public.window_raw"}
	report := workflows.TriageReport{Reporter: "alertmanager", Description: "raw is late"}
	// No worker polls this queue: the incident stays open and untouched.
	if _, err := workflows.ReportTriage(ctx, env.Client, "window-no-worker", workflows.TriageInput{Dataset: ds, Report: report}); err != nil {
		t.Fatal(err)
	}
	id := workflows.TriageWorkflowID(ds.Name)
	t.Cleanup(func() { _ = env.Client.TerminateWorkflow(ctx, id, "", "test over") })

	if ok, err := workflows.SignalRecentTriage(ctx, env.Client, ds.Name, time.Now().Add(-time.Hour), report); err != nil || !ok {
		t.Errorf("incident opened within the hour: joined %v, %v; want joined", ok, err)
	}
	if ok, err := workflows.SignalRecentTriage(ctx, env.Client, ds.Name, time.Now().Add(time.Minute), report); err != nil || ok {
		t.Errorf("incident older than the window: joined %v, %v; want refused", ok, err)
	}
	if ok, err := workflows.SignalRecentTriage(ctx, env.Client, "window_nothing", time.Now().Add(-time.Hour), report); err != nil || ok {
		t.Errorf("no incident: joined %v, %v; want refused", ok, err)
	}
	if err := env.Client.TerminateWorkflow(ctx, id, "", "closed"); err != nil {
		t.Fatal(err)
	}
	if ok, err := workflows.SignalRecentTriage(ctx, env.Client, ds.Name, time.Now().Add(-time.Hour), report); err != nil || ok {
		t.Errorf("closed incident: joined %v, %v; want refused", ok, err)
	}
}
