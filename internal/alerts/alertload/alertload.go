// Package alertload posts alert deliveries to a gateway at a fixed rate
// and measures each answer, for the alert-ingest benchmarks of the
// gateway alone and of the whole stack.
package alertload

import (
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Post sends body(i) as delivery i of n at rate deliveries a second, each
// on its own goroutine so that a slow answer does not slow the rate, with
// the bearer token. It returns each delivery's answer time and how many
// were not answered 200.
func Post(url, token string, rate, n int, body func(i int) string) ([]time.Duration, int64) {
	latencies := make([]time.Duration, n)
	var failed atomic.Int64
	done := make(chan struct{}, n)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range n {
		<-tick.C
		payload := body(i)
		go func() {
			defer func() { done <- struct{}{} }()
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(payload))
			req.Header.Set("Authorization", "Bearer "+token)
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			latencies[i] = time.Since(start)
			if err != nil || resp.StatusCode != http.StatusOK {
				failed.Add(1)
			}
			if err == nil {
				_ = resp.Body.Close()
			}
		}()
	}
	for range n {
		<-done
	}
	return latencies, failed.Load()
}
