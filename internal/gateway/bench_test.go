package gateway

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkSlashCommandAck sends signed /dre triage commands at 200
// requests per second over loopback for 30 s (b.N is ignored: the load is
// a rate, not a count) and reports the acknowledgement latency p50/p99 in
// milliseconds. Every 200 OK must map to exactly one start: the counts are
// compared at the end. The answer waits until the start is recorded (up to
// triageStartBudget), so a kill -9 loses no acknowledged command; the
// starter is a counting stand-in, so the figure is the gateway's own cost,
// and through Temporal one signal-with-start round trip adds to it.
func BenchmarkSlashCommandAck(b *testing.B) {
	const rate, duration = 200, 30 * time.Second
	starter := &fakeStarter{}
	base, stop := startSlackGateway(b, testSecret, starter)
	b.ResetTimer()
	latencies, accepted := fireAtRate(b, base, rate, duration)
	b.StopTimer()
	stop()
	if starter.count() != accepted {
		b.Fatalf("%d commands accepted but %d starts", accepted, starter.count())
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(accepted), "accepted")
}

// fireAtRate sends one signed command per tick, each on its own goroutine
// so a slow answer does not slow the rate, and collects the latencies.
func fireAtRate(b *testing.B, base string, rate int, d time.Duration) ([]time.Duration, int) {
	type result struct {
		took time.Duration
		ok   bool
	}
	n := rate * int(d/time.Second)
	results := make(chan result, n)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for range n {
		<-tick.C
		req := signedCommand(b, base, testSecret, "triage orders sev3", time.Now())
		go func() {
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			ok := err == nil && resp.StatusCode == http.StatusOK
			if err == nil {
				resp.Body.Close()
			}
			results <- result{time.Since(start), ok}
		}()
	}
	var latencies []time.Duration
	accepted := 0
	for range n {
		r := <-results
		latencies = append(latencies, r.took)
		if r.ok {
			accepted++
		}
	}
	if accepted != n {
		b.Errorf("%d of %d commands were not answered 200", n-accepted, n)
	}
	return latencies, accepted
}
