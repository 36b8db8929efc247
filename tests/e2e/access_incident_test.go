package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// Access granted for an open incident is revoked when the incident
// resolves, long before its expiry.
func TestAccessForAnIncidentIsRevokedWhenTheTriageResolves(t *testing.T) {
	f := accessSetup(t)
	f.createRoles(t, false, "e2e_iris")
	f.startWorker(t)
	if res := clitest.Run(t, f.cliEnv, "triage", "start", "customers", "--severity", "4", "--description", "customers without orders"); res.Code != 0 {
		t.Fatalf("triage start: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	ds, err := f.cfg.Catalog.Lookup("customers")
	if err != nil {
		t.Fatal(err)
	}
	// Started through the client to check the incident every second
	// instead of the CLI's five minutes.
	in := workflows.AccessRequestInput{Dataset: ds, Requester: "cli:iris", Principal: "e2e_iris", Duration: time.Hour,
		Reason: "triage of customers", Incident: "triage/customers", IncidentCheckEvery: time.Second}
	id := workflows.AccessRequestWorkflowID("customers", "cli:iris", "incident")
	if _, err := workflows.StartAccessRequest(t.Context(), env.Client, f.queue, id, in); err != nil {
		t.Fatal(err)
	}
	if res := clitest.Run(t, f.cliEnv, "access", "approve", id, "--as", "U0DEMOOWNER"); res.Code != 0 {
		t.Fatalf("approve: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var st workflows.AccessRequestState
	waitStatus(t, id, workflows.AccessGranted, &st, func() string { return st.Status })
	if !f.canSelect(t, "e2e_iris") {
		t.Fatal("granted, but e2e_iris cannot SELECT customers")
	}
	if res := clitest.Run(t, f.cliEnv, "triage", "resolve", "customers", "--note", "fixed upstream"); res.Code != 0 {
		t.Fatalf("triage resolve: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	var final workflows.AccessRequestState
	if err := env.Client.GetWorkflow(t.Context(), id, "").Get(t.Context(), &final); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(final.Ending, "resolution of triage/customers") || f.canSelect(t, "e2e_iris") {
		t.Fatalf("after the resolution: state %+v, e2e_iris can select %v; want revoked at the resolution", final, f.canSelect(t, "e2e_iris"))
	}
}
