// Package telemetry gives dre's long-running processes (dre worker, dre
// gateway, dre dev) their Prometheus metrics and, when the standard
// OTEL_EXPORTER_OTLP_* variables ask for it, their traces.
//
// One OpenTelemetry meter feeds both the Temporal SDK's metrics (through
// go.temporal.io/sdk/contrib/opentelemetry) and dre's own, so everything is
// scraped from one /metrics endpoint in Prometheus text format.
package telemetry

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// durationBuckets cover both a gateway request (milliseconds) and an
// incident's time to resolve (hours): OpenTelemetry's default buckets stop
// at 10,000, which in seconds would lump every slow acknowledgement together.
var durationBuckets = []float64{
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
	60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400,
}

// seriesPerInstrument is how many label sets one instrument may hold
// before OpenTelemetry folds the rest into one otel_metric_overflow
// series. Its default, 2,000, is below what the SLO gauges need: 1,000
// datasets with two SLOs each make 10,000 dre_slo_burn_rate series (five
// windows). A bound remains, so that a label gone wild costs a folded
// series rather than the worker's memory.
const seriesPerInstrument = 200_000

// Metrics is a process's metrics registry.
type Metrics struct {
	registry *prometheus.Registry
	provider *sdkmetric.MeterProvider
	handler  client.MetricsHandler
}

// NewMetrics returns a registry holding the Go runtime and process
// collectors (resident memory, CPU, file descriptors) and an OpenTelemetry
// meter exported to it. The registry is private, so two processes in one
// test binary never collide on metric names.
func NewMetrics() (*Metrics, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("creating the Prometheus exporter: %w", err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithView(describeAndBucket),
		sdkmetric.WithCardinalityLimit(seriesPerInstrument))
	handler := temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter: provider.Meter("dre"),
		// A metric that cannot be created (a name reused with another
		// type) must cost a missing series, never a crashed worker.
		OnError:              func(error) {},
		UseMonotonicCounters: true,
	})
	return &Metrics{registry: reg, provider: provider, handler: handler}, nil
}

// Handler records metrics: pass it as client.Options.MetricsHandler for
// the SDK's metrics; dre's gateway records its own through it too.
// Workflows and activities reach it through workflow.GetMetricsHandler and
// activity.GetMetricsHandler.
func (m *Metrics) Handler() client.MetricsHandler { return m.handler }

// HTTPHandler serves the metrics in Prometheus text format.
func (m *Metrics) HTTPHandler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Close flushes and stops the meter.
func (m *Metrics) Close(ctx context.Context) error { return m.provider.Shutdown(ctx) }
