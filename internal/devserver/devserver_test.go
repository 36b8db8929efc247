package devserver

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const testQueue = "devserver-test"

// steps runs n trivial activities one after another.
func steps(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	total := 0
	for i := range n {
		var out int
		if err := workflow.ExecuteActivity(ctx, increment, i).Get(ctx, &out); err != nil {
			return 0, err
		}
		total += out
	}
	return total, nil
}

func increment(_ context.Context, i int) (int, error) { return i + 1, nil }

// waitForSignal blocks until a "go" signal, standing in for a long job.
func waitForSignal(ctx workflow.Context) (string, error) {
	var v string
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &v)
	return v, nil
}

func startServer(t testing.TB, opts Options) (*Server, client.Client) {
	t.Helper()
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	c, err := s.NewClient(client.Options{Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := worker.New(c, testQueue, worker.Options{})
	w.RegisterWorkflow(steps)
	w.RegisterWorkflow(waitForSignal)
	w.RegisterActivity(increment)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return s, c
}

func TestEphemeralServerRunsWorkflows(t *testing.T) {
	opts := EphemeralOptions()
	opts.SearchAttributes = map[string]enumspb.IndexedValueType{"DreKind": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	_, c := startServer(t, opts)
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: testQueue}, steps, 4)
	if err != nil {
		t.Fatal(err)
	}
	var total int
	if err := run.Get(context.Background(), &total); err != nil || total != 10 {
		t.Fatalf("steps(4) = %d, %v; want 10", total, err)
	}
	assertSearchAttributes(t, c, opts.SearchAttributes)
}

func TestFileServerRestartKeepsState(t *testing.T) {
	ctx := context.Background()
	opts := fileTestOptions(t)
	opts.SearchAttributes = map[string]enumspb.IndexedValueType{"DreKind": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	first, c := startServer(t, opts)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "long/job", TaskQueue: testQueue}, waitForSignal)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: "nightly", Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour}}},
		Action: &client.ScheduleWorkflowAction{Workflow: steps, Args: []any{1}, TaskQueue: testQueue},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}

	// A newer dre may need one more search attribute: it is added on restart.
	opts.SearchAttributes["DreSeverity"] = enumspb.INDEXED_VALUE_TYPE_INT
	_, c = startServer(t, opts)
	assertSearchAttributes(t, c, opts.SearchAttributes)
	if _, err := c.ScheduleClient().GetHandle(ctx, "nightly").Describe(ctx); err != nil {
		t.Errorf("schedule after restart: %v", err)
	}
	if err := c.SignalWorkflow(ctx, "long/job", "", "go", "resumed"); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := c.GetWorkflow(ctx, "long/job", run.GetRunID()).Get(ctx, &got); err != nil || got != "resumed" {
		t.Fatalf("workflow started before the restart returned %q, %v; want resumed", got, err)
	}
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: DefaultNamespace})
	if err != nil || desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() != DefaultRetention {
		t.Errorf("namespace retention = %v, %v; want %s", desc.GetConfig().GetWorkflowExecutionRetentionTtl(), err, DefaultRetention)
	}
}

func fileTestOptions(t testing.TB) Options {
	opts := FileOptions(filepath.Join(t.TempDir(), "state", "temporal.db"))
	opts.FrontendAddress, opts.UIAddress = "127.0.0.1:0", "127.0.0.1:0"
	return opts
}

func assertSearchAttributes(t *testing.T, c client.Client, want map[string]enumspb.IndexedValueType) {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(context.Background(),
		&operatorservice.ListSearchAttributesRequest{Namespace: DefaultNamespace})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range want {
		if got := resp.GetCustomAttributes()[name]; got != typ {
			t.Errorf("search attribute %s = %s, want %s", name, got, typ)
		}
	}
}

func TestTakenPortIsOneClearError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().String()
	tests := []struct {
		name, frontend, ui, want string
	}{
		{"frontend", taken, "", "Temporal frontend (gRPC) port " + taken + " is already in use"},
		{"ui", "127.0.0.1:0", taken, "Temporal UI port " + taken + " is already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fileTestOptions(t)
			opts.FrontendAddress, opts.UIAddress = tt.frontend, tt.ui
			_, err := Start(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestTooManySearchAttributesIsAnError(t *testing.T) {
	opts := EphemeralOptions()
	opts.SearchAttributes = map[string]enumspb.IndexedValueType{}
	for i := range 4 {
		opts.SearchAttributes[fmt.Sprintf("Flag%d", i)] = enumspb.INDEXED_VALUE_TYPE_BOOL
	}
	_, err := Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "cannot have more than 3 search attributes") {
		t.Fatalf("Start with 4 Bool search attributes = %v, want the slot limit error", err)
	}
}

func TestUIAnswers(t *testing.T) {
	s, _ := startServer(t, fileTestOptions(t))
	if s.UIURL() == "" {
		t.Fatal("UI URL is empty with the UI on")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := waitHTTP(ctx, s.UIURL()+"/api/v1/namespaces/default", nil); err != nil {
		t.Fatalf("UI proxy to the frontend: %v", err)
	}
}
