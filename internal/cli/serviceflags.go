package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/logging"
	"github.com/dre-dev/dre/internal/telemetry"
)

// defaultStopTimeout is how long a stopping worker lets in-flight
// activities finish. The Kubernetes manifests give pods a grace period a
// little longer, so the worker, not the kubelet, decides when to give up.
const defaultStopTimeout = 30 * time.Second

// serviceFlags are the flags of dre's long-running processes: logs for
// both, metrics and shutdown for the worker (the gateway serves /metrics
// on its own listener).
type serviceFlags struct {
	logFormat, logLevel string
	metrics             string
	stopTimeout         time.Duration
}

func (f *serviceFlags) addLogFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.logFormat, "log-format", "", "log format: text or json (default: $DRE_LOG_FORMAT or text)")
	cmd.Flags().StringVar(&f.logLevel, "log-level", "", "log level: debug, info, warn or error (default: $DRE_LOG_LEVEL or info)")
}

func (f *serviceFlags) addWorkerFlags(cmd *cobra.Command) {
	f.addLogFlags(cmd)
	cmd.Flags().StringVar(&f.metrics, "metrics", "", "serve /metrics, /healthz and /readyz on this address, like 0.0.0.0:9090 (default: worker.metrics_listen or $DRE_METRICS_LISTEN; unset: off)")
	cmd.Flags().DurationVar(&f.stopTimeout, "stop-timeout", 0, "on SIGTERM, how long in-flight activities may finish before they are cancelled (default: worker.stop_timeout or 30s)")
}

// observability is a service's logger, metrics and tracing, made before it
// dials Temporal so that the client carries all three.
type observability struct {
	logger  *slog.Logger
	metrics *telemetry.Metrics
	tracing interceptor.Interceptor // nil unless OTEL_EXPORTER_OTLP_ENDPOINT is set
	closers []func(context.Context) error
}

// observe builds the logger, with every secret of cfg redacted, the
// metrics registry and, when the environment asks, tracing.
func (g *globals) observe(ctx context.Context, f *serviceFlags, cfg *config.Config, logs io.Writer) (*observability, error) {
	logger, err := logging.New(logs, logging.Options{
		Format:  g.flagOrEnv(f.logFormat, "DRE_LOG_FORMAT"),
		Level:   g.flagOrEnv(f.logLevel, "DRE_LOG_LEVEL"),
		Secrets: logging.ConfigSecrets(cfg),
	})
	if err != nil {
		return nil, &usageError{err}
	}
	m, err := telemetry.NewMetrics()
	if err != nil {
		return nil, err
	}
	o := &observability{logger: logger, metrics: m, closers: []func(context.Context) error{m.Close}}
	if telemetry.TracingEnabled(g.opts.Env) {
		tracing, flush, err := telemetry.Tracing(ctx)
		if err != nil {
			o.close()
			return nil, err
		}
		o.tracing = tracing
		o.closers = append(o.closers, flush)
	}
	return o, nil
}

// apply makes the Temporal client log, measure and trace through o.
func (o *observability) apply(opts *client.Options) {
	opts.Logger = sdklog.NewStructuredLogger(o.logger)
	opts.MetricsHandler = o.metrics.Handler()
	if o.tracing != nil {
		opts.Interceptors = append(opts.Interceptors, o.tracing)
	}
}

// close flushes traces and metrics, giving up after a few seconds so that
// an unreachable collector never holds a pod in Terminating.
func (o *observability) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range o.closers {
		if err := c(ctx); err != nil {
			o.logger.Warn("telemetry not flushed", "error", err)
		}
	}
}

// flagOrEnv returns the flag's value, else the variable's.
func (g *globals) flagOrEnv(flag, key string) string {
	if flag != "" {
		return flag
	}
	v, _ := g.opts.Env(key)
	return v
}

// stopTimeoutOf picks the worker's stop timeout: flag, config, default.
func stopTimeoutOf(f *serviceFlags, cfg *config.Config) time.Duration {
	switch {
	case f.stopTimeout > 0:
		return f.stopTimeout
	case cfg.Worker.StopTimeout.Duration > 0:
		return cfg.Worker.StopTimeout.Duration
	}
	return defaultStopTimeout
}

// describe is a one-line summary of what o turned on, for the start banner.
func (o *observability) describe(metricsAddr string) string {
	s := "metrics off"
	if metricsAddr != "" {
		s = fmt.Sprintf("metrics on http://%s/metrics", metricsAddr)
	}
	if o.tracing != nil {
		s += ", tracing to OTLP"
	}
	return s
}
