package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// benchSteps is how many no-op steps each run has.
const benchSteps = 10

// tenActivities is the baseline: the same activity as the runbook's
// notify steps, called benchSteps times in a row by a plain workflow.
func tenActivities(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var n *activities.Notify
	for i := range benchSteps {
		msg := activities.SlackMessage{Channel: "#bench", Text: fmt.Sprintf("step %d", i)}
		if err := workflow.ExecuteActivity(ctx, n.PostSlack, msg).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// noopRunbook has benchSteps notify steps; with no Slack configured each
// is an activity that returns at once, like the baseline's.
func noopRunbook(b *testing.B) workflows.RunbookInput {
	var y strings.Builder
	y.WriteString("name: bench\nsteps:\n")
	for i := range benchSteps {
		fmt.Fprintf(&y, "  - {id: s%d, notify: {channel: '#bench', text: 'step %d'}}\n", i, i)
	}
	rb, err := runbooks.Parse("bench.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	return workflows.RunbookInput{Runbook: *rb, Hash: runbooks.Hash(rb), Inputs: map[string]string{}}
}

// BenchmarkRunbookOverhead runs a 10-step no-op runbook and a plain
// workflow of 10 activities alternately on the same server and worker,
// and reports each one's time per run and their ratio (target ≤ 1.2).
func BenchmarkRunbookOverhead(b *testing.B) {
	w := sdkworker.New(env.Client, env.TaskQueue, sdkworker.Options{})
	worker.Register(w, worker.Deps{Policy: harness.UnsignedPolicy(nil)})
	w.RegisterWorkflow(tenActivities)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	in := noopRunbook(b)
	ctx := context.Background()
	var plain, interpreted time.Duration
	for i := 0; b.Loop(); i++ {
		plain += timeRun(b, ctx, fmt.Sprintf("bench-plain-%d-%d", b.N, i), tenActivities)
		interpreted += timeRun(b, ctx, workflows.RunbookWorkflowID("bench", "", fmt.Sprintf("%d-%d", b.N, i)), workflows.Runbook, in)
	}
	runs := float64(b.N)
	b.ReportMetric(float64(plain.Nanoseconds())/runs, "plain-ns/op")
	b.ReportMetric(float64(interpreted.Nanoseconds())/runs, "runbook-ns/op")
	b.ReportMetric(float64(interpreted)/float64(plain), "runbook/plain")
}

// timeRun starts a workflow and waits for its end.
func timeRun(b *testing.B, ctx context.Context, id string, wf any, args ...any) time.Duration {
	start := time.Now()
	run, err := env.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: env.TaskQueue}, wf, args...)
	if err == nil {
		err = run.Get(ctx, nil)
	}
	if err != nil {
		b.Fatalf("%s: %v", id, err)
	}
	return time.Since(start)
}
