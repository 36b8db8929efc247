package devserver

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// BenchmarkSequentialActivityStep measures one activity step of a workflow
// that runs activities one after another: the latency the tuning in
// dynamicConfig targets (≤ 10 ms; ≈47 ms with the server's defaults).
func BenchmarkSequentialActivityStep(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts func(testing.TB) Options
	}{
		{"memory", func(testing.TB) Options { return EphemeralOptions() }},
		{"sqlite-file", func(t testing.TB) Options { o := fileTestOptions(t); o.UIAddress = ""; return o }},
	} {
		b.Run(mode.name, func(b *testing.B) {
			_, c := startServer(b, mode.opts(b))
			const perRun = 50
			runSteps(b, c, 5) // warm up the worker's sticky cache
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				runSteps(b, c, perRun)
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N*perRun), "ms/step")
		})
	}
}

func runSteps(b *testing.B, c client.Client, n int) {
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: testQueue}, steps, n)
	if err != nil {
		b.Fatal(err)
	}
	if err := run.Get(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
}
