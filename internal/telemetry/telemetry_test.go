package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestMetricsExportCountersAndHoursLongTimers(t *testing.T) {
	m, err := NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	h := m.Handler().WithTags(map[string]string{"dataset": "orders"})
	h.Counter("dre_backfill_rows").Inc(1200)
	h.Counter("dre_backfill_rows").Inc(34)
	h.Timer("dre_triage_time_to_ack").Record(90 * time.Minute)
	s, err := Serve("127.0.0.1:0", m.HTTPHandler(), func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	_, body := scrape(t, "http://"+s.Addr()+"/metrics")
	for _, want := range []string{
		`dre_backfill_rows_total{dataset="orders"} 1234`,
		// 90 minutes lands in the 2h bucket, not in an overflow bucket.
		`dre_triage_time_to_ack_seconds_bucket{dataset="orders",le="3600"} 0`,
		`dre_triage_time_to_ack_seconds_bucket{dataset="orders",le="7200"} 1`,
		`process_resident_memory_bytes `,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestServeReportsReadinessAndHealth(t *testing.T) {
	m, err := NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	var notReady error
	s, err := Serve("127.0.0.1:0", m.HTTPHandler(), func() error { return notReady })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr()
	if code, _ := scrape(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz while ready = %d, want 200", code)
	}
	notReady = errors.New("draining")
	if code, body := scrape(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("/readyz while draining = %d %q, want 503 saying draining", code, body)
	}
	if code, _ := scrape(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while draining = %d, want 200: a draining worker is alive", code)
	}
	if _, err := Serve(s.Addr(), m.HTTPHandler(), nil); err == nil || !strings.Contains(err.Error(), "--metrics") {
		t.Errorf("Serve on a taken port: err = %v; want one naming the flag to change", err)
	}
}

func TestTracingIsOnlyEnabledByAnOTLPEndpoint(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4317"}, true},
	}
	for _, tt := range tests {
		env := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
		if got := TracingEnabled(env); got != tt.want {
			t.Errorf("TracingEnabled(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
}

func TestTracingBuildsTheInterceptor(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	tracing, flush, err := Tracing(context.Background())
	if err != nil || tracing == nil {
		t.Fatalf("Tracing() = %v, %v; want an interceptor", tracing, err)
	}
	// Nothing was traced, so flushing to the unreachable endpoint sends nothing.
	if err := flush(context.Background()); err != nil {
		t.Errorf("flush with no spans: %v", err)
	}
}

// TestManySLOSeriesAreNotFolded: 3,000 datasets' burn rates, beyond
// OpenTelemetry's default 2,000 label sets per instrument, all reach
// /metrics instead of an otel_metric_overflow series.
func TestManySLOSeriesAreNotFolded(t *testing.T) {
	m, err := NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	const n = 3000
	for i := range n {
		m.Handler().WithTags(map[string]string{"dataset": "ds" + strconv.Itoa(i), "slo": "fresh", "window": "1h"}).Gauge("dre_slo_burn_rate").Update(1)
	}
	rec := httptest.NewRecorder()
	m.HTTPHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if got := strings.Count(body, "\ndre_slo_burn_rate{"); got != n || strings.Contains(body, "otel_metric_overflow") {
		t.Errorf("%d dre_slo_burn_rate series exported (overflow folded: %v), want %d", got, strings.Contains(body, "otel_metric_overflow"), n)
	}
}
