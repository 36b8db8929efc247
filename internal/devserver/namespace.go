package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/dre-dev/dre/internal/temporaladmin"
)

// waitReady polls the frontend until it answers for the namespace. Startup
// time varies with the machine, so it is measured, never slept.
func waitReady(ctx context.Context, addr, namespace string) (client.Client, error) {
	delay := 10 * time.Millisecond
	var lastErr error
	for {
		c, err := client.Dial(client.Options{HostPort: addr, Namespace: namespace, Logger: quietLogger{}})
		if err == nil {
			_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
			if err == nil {
				return c, nil
			}
			c.Close()
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the Temporal frontend at %s did not become ready: %w (last error: %v)", addr, ctx.Err(), lastErr)
		case <-time.After(delay):
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
}

// reconcileNamespace adds search attributes missing from an existing
// namespace and applies the retention. Namespace creation only registers
// search attributes the first time, so a newer dre adding one would
// otherwise find it missing on an old database.
func reconcileNamespace(ctx context.Context, c client.Client, opts Options) error {
	ns := temporaladmin.Namespace{Name: opts.Namespace, Retention: opts.Retention, SearchAttributes: opts.SearchAttributes}
	if _, err := temporaladmin.AddMissingSearchAttributes(ctx, c, ns); err != nil {
		if errors.Is(err, temporaladmin.ErrAttributeType) {
			return fmt.Errorf("%w; use a fresh database (delete %s)", err, opts.DBPath)
		}
		return err
	}
	_, err := temporaladmin.ApplyRetention(ctx, c, ns)
	return err
}

// quietLogger drops the SDK client's logs during readiness polling, where
// "connection refused" is the expected answer.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

// newWriterLogger logs the server's errors to w; its warnings at startup
// ("connection refused" while services find each other) are noise.
func newWriterLogger(w io.Writer) log.Logger {
	enc := zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
	return log.NewZapLogger(zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), zapcore.ErrorLevel)))
}

var errUIStopped = errors.New("ui stopped")
