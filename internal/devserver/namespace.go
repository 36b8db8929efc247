package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/protobuf/types/known/durationpb"
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
	if err := addMissingSearchAttributes(ctx, c, opts); err != nil {
		return err
	}
	return applyRetention(ctx, c, opts)
}

func addMissingSearchAttributes(ctx context.Context, c client.Client, opts Options) error {
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: opts.Namespace})
	if err != nil {
		return fmt.Errorf("listing search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range opts.SearchAttributes {
		if have, ok := resp.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		} else if have != typ {
			return fmt.Errorf("search attribute %s is registered as %s but dre needs %s; use a fresh database (delete %s)", name, have, typ, opts.DBPath)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: opts.Namespace, SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("adding search attributes %v: %w", keys(missing), err)
	}
	return nil
}

func applyRetention(ctx context.Context, c client.Client, opts Options) error {
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: opts.Namespace})
	if err != nil {
		return fmt.Errorf("describing namespace %q: %w", opts.Namespace, err)
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == opts.Retention {
		return nil
	}
	_, err = c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: opts.Namespace,
		Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(opts.Retention)},
	})
	if err != nil {
		return fmt.Errorf("setting the retention of namespace %q to %s: %w", opts.Namespace, opts.Retention, err)
	}
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
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
