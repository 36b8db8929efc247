package telemetry

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// TracingEnabled reports whether the environment names an OTLP endpoint
// for traces, the standard way to switch OpenTelemetry exporters on.
func TracingEnabled(env func(string) (string, bool)) bool {
	for _, key := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if v, ok := env(key); ok && v != "" {
			return true
		}
	}
	return false
}

// Tracing returns the SDK interceptor that traces workflow starts,
// workflows, activities, signals, queries and updates, exported over
// OTLP/gRPC, and a function that flushes the spans on exit. The exporter
// reads the other OTEL_EXPORTER_OTLP_* variables (headers, TLS, timeout)
// from the process environment itself; OTEL_SERVICE_NAME names the process.
func Tracing(ctx context.Context) (interceptor.Interceptor, func(context.Context) error, error) {
	exporter, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("OpenTelemetry trace exporter (check OTEL_EXPORTER_OTLP_ENDPOINT): %w", err)
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
	tracing, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer: provider.Tracer("dre"),
		// W3C trace context and baggage: what other OpenTelemetry
		// services in the same trace speak.
		TextMapPropagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	})
	if err != nil {
		_ = provider.Shutdown(ctx)
		return nil, nil, fmt.Errorf("building the Temporal tracing interceptor: %w", err)
	}
	return tracing, provider.Shutdown, nil
}
