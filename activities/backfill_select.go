package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Reprocess modes of SelectPartitionsInput.Only.
const (
	// ReprocessMissing leaves out partitions any earlier backfill wrote
	// from the same source definition.
	ReprocessMissing = "missing"
	// ReprocessFailed keeps only the partitions an earlier run failed.
	ReprocessFailed = "failed"
)

// ledgerReader is a warehouse whose backfill ledger can be read
// (PostgreSQL, BigQuery); declared here because only the selection needs it.
type ledgerReader interface {
	LedgerEntries(ctx context.Context, ref warehouse.TableRef, from, to time.Time) ([]warehouse.LedgerEntry, error)
}

// SelectPartitionsInput asks which partitions of [From, To) a reprocess
// mode keeps.
type SelectPartitionsInput struct {
	Warehouse string    `json:"warehouse"`
	Table     string    `json:"table"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	// Select is the run's rendered SELECT, whose hash is the source
	// definition ReprocessMissing compares.
	Select string `json:"select"`
	Only   string `json:"only"`
	// OfRun is the ledger run whose failures ReprocessFailed redoes; ""
	// means the last run that recorded anything in the range.
	OfRun string `json:"ofRun,omitempty"`
}

// SelectPartitionsResult names partitions by their start.
type SelectPartitionsResult struct {
	// Skip, for ReprocessMissing, are the partitions already written.
	Skip []time.Time `json:"skip,omitempty"`
	// Redo, for ReprocessFailed, are the partitions OfRun failed.
	Redo []time.Time `json:"redo,omitempty"`
	// OfRun is the run ReprocessFailed read.
	OfRun string `json:"ofRun,omitempty"`
}

// SelectPartitions reads the warehouse's backfill ledger to find the
// partitions a reprocess mode keeps.
func (b *Backfills) SelectPartitions(ctx context.Context, in SelectPartitionsInput) (SelectPartitionsResult, error) {
	ref, w, err := b.target(ctx, in.Warehouse, in.Table)
	if err != nil {
		return SelectPartitionsResult{}, err
	}
	lr, ok := w.(ledgerReader)
	if !ok {
		msg := fmt.Sprintf("--only %s reads the backfill ledger, which warehouse %q cannot list yet; pass --partitions or --only all", in.Only, in.Warehouse)
		return SelectPartitionsResult{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	entries, err := lr.LedgerEntries(ctx, ref, in.From, in.To)
	if err != nil {
		return SelectPartitionsResult{}, backfillFailure(err)
	}
	switch in.Only {
	case ReprocessMissing:
		return SelectPartitionsResult{Skip: writtenFrom(entries, warehouse.SourceHash(in.Select))}, nil
	case ReprocessFailed:
		return failedBy(entries, in.OfRun)
	}
	return SelectPartitionsResult{}, temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("reprocess mode %q is unknown; use %s or %s", in.Only, ReprocessMissing, ReprocessFailed), errInvalidInput, nil)
}

// writtenFrom lists the partitions some run wrote from the source hash.
func writtenFrom(entries []warehouse.LedgerEntry, hash string) []time.Time {
	var out []time.Time
	for _, e := range entries {
		if e.Status == warehouse.LedgerWritten && e.SourceHash == hash && !slices.ContainsFunc(out, e.Start.Equal) {
			out = append(out, e.Start)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// failedBy lists the partitions run failed (the last run in the entries
// when run is ""), leaving out those written since by any run.
func failedBy(entries []warehouse.LedgerEntry, run string) (SelectPartitionsResult, error) {
	if run == "" && len(entries) > 0 {
		run = entries[len(entries)-1].RunID // entries come oldest first
	}
	if run == "" {
		return SelectPartitionsResult{}, temporal.NewNonRetryableApplicationError(
			"no backfill recorded anything in this range, so none failed; use --only all or --only missing", errInvalidInput, nil)
	}
	failedAt := map[time.Time]time.Time{}
	for _, e := range entries {
		if e.RunID == run && e.Status == warehouse.LedgerFailed {
			failedAt[e.Start] = e.At
		}
	}
	var out []time.Time
	for start, at := range failedAt {
		if !writtenSince(entries, start, at) {
			out = append(out, start)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return SelectPartitionsResult{Redo: out, OfRun: run}, nil
}

// writtenSince reports whether some run wrote the partition after at.
func writtenSince(entries []warehouse.LedgerEntry, start, at time.Time) bool {
	return slices.ContainsFunc(entries, func(e warehouse.LedgerEntry) bool {
		return e.Status == warehouse.LedgerWritten && e.Start.Equal(start) && e.At.After(at)
	})
}
