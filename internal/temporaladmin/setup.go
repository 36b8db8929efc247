// Package temporaladmin prepares a Temporal namespace for dre the way a
// production install does: through the frontend's WorkflowService and
// OperatorService, never by touching the server's database. dre dev and
// `dre admin setup` share it.
package temporaladmin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Services are the two frontend APIs setup needs; client.Client provides
// both.
type Services interface {
	WorkflowService() workflowservice.WorkflowServiceClient
	OperatorService() operatorservice.OperatorServiceClient
}

// Namespace is what setup makes true of one namespace.
type Namespace struct {
	Name      string
	Retention time.Duration
	// SearchAttributes are the custom attributes the namespace must have,
	// by name and type.
	SearchAttributes map[string]enumspb.IndexedValueType
}

// ErrAttributeType marks a search attribute registered with another type
// than dre needs; only a fresh namespace (or database) mends that.
var ErrAttributeType = errors.New("search attribute has another type")

// Setup registers the namespace if it is missing, applies the retention
// and adds the missing search attributes. It is idempotent: it returns one
// line per change it made, none when everything was already in place.
func Setup(ctx context.Context, c Services, ns Namespace) ([]string, error) {
	var done []string
	created, err := ensureNamespace(ctx, c, ns)
	if err != nil {
		return nil, err
	}
	if created {
		done = append(done, fmt.Sprintf("registered namespace %s (retention %s)", ns.Name, ns.Retention))
	} else if changed, err := ApplyRetention(ctx, c, ns); err != nil {
		return nil, err
	} else if changed {
		done = append(done, fmt.Sprintf("set the retention of namespace %s to %s", ns.Name, ns.Retention))
	}
	added, err := addWhenReady(ctx, c, ns)
	if err != nil {
		return nil, err
	}
	for _, name := range added {
		done = append(done, fmt.Sprintf("added search attribute %s (%s)", name, ns.SearchAttributes[name]))
	}
	return done, nil
}

// ensureNamespace registers ns unless it exists, and says whether it did.
func ensureNamespace(ctx context.Context, c Services, ns Namespace) (bool, error) {
	_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns.Name})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case err == nil:
		return false, nil
	case !errors.As(err, &notFound):
		return false, fmt.Errorf("describing namespace %q: %w", ns.Name, err)
	}
	_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: ns.Name, WorkflowExecutionRetentionPeriod: durationpb.New(ns.Retention),
		Description: "dre: durable data reliability jobs",
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if errors.As(err, &exists) {
		return false, nil // another setup won the race
	}
	if err != nil {
		return false, fmt.Errorf("registering namespace %q: %w", ns.Name, err)
	}
	return true, nil
}

// addWhenReady adds the missing search attributes, retrying while a new
// namespace has not yet reached every service's namespace cache.
func addWhenReady(ctx context.Context, c Services, ns Namespace) ([]string, error) {
	delay := 100 * time.Millisecond
	for {
		added, err := AddMissingSearchAttributes(ctx, c, ns)
		var notFound *serviceerror.NamespaceNotFound
		if err == nil || errors.Is(err, ErrAttributeType) || !errors.As(err, &notFound) {
			return added, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("namespace %q was registered but is not usable yet: %w (last error: %v)", ns.Name, ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// AddMissingSearchAttributes adds the attributes ns lacks and returns
// their names, sorted. An attribute registered with another type is an
// ErrAttributeType error, and nothing is added.
func AddMissingSearchAttributes(ctx context.Context, c Services, ns Namespace) ([]string, error) {
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns.Name})
	if err != nil {
		return nil, fmt.Errorf("listing the search attributes of namespace %q: %w", ns.Name, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range ns.SearchAttributes {
		have, ok := resp.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case have != typ:
			return nil, fmt.Errorf("%w: %s is registered as %s but dre needs %s", ErrAttributeType, name, have, typ)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(missing))
	for name := range missing {
		names = append(names, name)
	}
	slices.Sort(names)
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ns.Name, SearchAttributes: missing,
	})
	if err != nil {
		return nil, fmt.Errorf("adding search attributes %v to namespace %q: %w", names, ns.Name, err)
	}
	return names, nil
}

// ApplyRetention sets the namespace's retention to ns.Retention and says
// whether it had to change it.
func ApplyRetention(ctx context.Context, c Services, ns Namespace) (bool, error) {
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns.Name})
	if err != nil {
		return false, fmt.Errorf("describing namespace %q: %w", ns.Name, err)
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == ns.Retention {
		return false, nil
	}
	_, err = c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: ns.Name,
		Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(ns.Retention)},
	})
	if err != nil {
		return false, fmt.Errorf("setting the retention of namespace %q to %s: %w", ns.Name, ns.Retention, err)
	}
	return true, nil
}
