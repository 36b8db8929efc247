package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// proberSource finds a warehouse by its dre.yaml name. It is declared here,
// where it is used, so the check activity depends on nothing else of the
// warehouse registry.
type proberSource interface {
	Prober(ctx context.Context, warehouse string) (warehouse.Prober, error)
}

// Checks runs read-only checks on catalog tables.
type Checks struct {
	Warehouses proberSource
}

// ProbeTableInput names the table to look at.
type ProbeTableInput struct {
	Warehouse       string `json:"warehouse"`
	Table           string `json:"table"`
	FreshnessColumn string `json:"freshnessColumn,omitempty"`
}

// ProbeTableResult is what the probe found, with the time it looked.
type ProbeTableResult struct {
	warehouse.TableProbe
	ProbedAt time.Time `json:"probedAt"`
	// Unpublished are the partitions that failed write-audit-publish
	// validation and are not yet fixed (warehouses that record them only).
	Unpublished []warehouse.UnpublishedPartition `json:"unpublished,omitempty"`
}

// ProbeTable counts a table's rows and reads its newest freshness value.
// Configuration problems are non-retryable; connection problems are retried.
func (c *Checks) ProbeTable(ctx context.Context, in ProbeTableInput) (ProbeTableResult, error) {
	ref, err := parseTable(in.Table)
	if err != nil {
		return ProbeTableResult{}, err
	}
	p, err := c.Warehouses.Prober(ctx, in.Warehouse)
	var unknown *warehouse.UnknownWarehouseError
	if errors.As(err, &unknown) {
		return ProbeTableResult{}, temporal.NewNonRetryableApplicationError(err.Error(), errUnknownWarehouse, err)
	}
	if err != nil {
		return ProbeTableResult{}, err
	}
	probe, err := p.ProbeTable(ctx, ref, in.FreshnessColumn)
	if err != nil {
		return ProbeTableResult{}, fmt.Errorf("warehouse %s: %w", in.Warehouse, err)
	}
	res := ProbeTableResult{TableProbe: probe, ProbedAt: time.Now().UTC()}
	if lister, ok := p.(unpublishedLister); ok && probe.Exists {
		if res.Unpublished, err = lister.UnpublishedPartitions(ctx, ref); err != nil {
			return ProbeTableResult{}, fmt.Errorf("warehouse %s: %w", in.Warehouse, err)
		}
	}
	return res, nil
}
