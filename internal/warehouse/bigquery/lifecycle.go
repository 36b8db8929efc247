package bigquery

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Move moves a table by copying it, putting its metadata back on the copy
// and deleting the original (see the package doc). It can be retried: a
// copy already made is reused, and when only `to` is left the move is done.
func (w *Warehouse) Move(ctx context.Context, from, to warehouse.TableRef) error {
	if err := validateRefs(from, to); err != nil {
		return err
	}
	saved, _, err := w.fullMeta(ctx, from)
	if isNotFound(err) && w.exists(ctx, to) {
		return nil // an earlier try got as far as deleting from
	}
	if err != nil {
		return err
	}
	if err := w.copyOnce(ctx, bigquery.CopyOperation, from, to); err != nil {
		return err
	}
	if err := w.reapply(ctx, to, saved); err != nil {
		return err
	}
	return w.Drop(ctx, from)
}

// Snapshot takes a BigQuery table snapshot of src at dst and records src's
// metadata in dre_meta.snapshot_meta, for Restore.
func (w *Warehouse) Snapshot(ctx context.Context, src, dst warehouse.TableRef) error {
	if err := validateRefs(src, dst); err != nil {
		return err
	}
	saved, _, err := w.fullMeta(ctx, src)
	if err != nil {
		return err
	}
	if err := w.copyOnce(ctx, bigquery.SnapshotOperation, src, dst); err != nil {
		return err
	}
	return w.recordSnapshot(ctx, src, dst, saved)
}

// Restore recreates dst from a snapshot, then puts back the metadata a
// BigQuery restore drops: the policy tags recorded at snapshot time, and
// meta's comment, labels, PII tags and grants (meta wins over the record).
func (w *Warehouse) Restore(ctx context.Context, snapshot, dst warehouse.TableRef, meta warehouse.TableMeta) error {
	if err := validateRefs(snapshot, dst); err != nil {
		return err
	}
	snap, err := w.metadata(ctx, snapshot)
	if isNotFound(err) {
		return &warehouse.NotFoundError{Kind: "snapshot", Name: snapshot.String()}
	}
	if err != nil {
		return err
	}
	if snap.Type != bigquery.Snapshot {
		return fmt.Errorf("%s is a %s, not a table snapshot: Restore restores snapshots", snapshot, snap.Type)
	}
	recorded, err := w.loadSnapshot(ctx, snapshot, snap.CreationTime)
	if err != nil {
		return err
	}
	if err := w.copyOnce(ctx, bigquery.RestoreOperation, snapshot, dst); err != nil {
		return err
	}
	return w.reapply(ctx, dst, recorded.overlay(meta))
}

// Drop deletes a table; a missing one is a *NotFoundError.
func (w *Warehouse) Drop(ctx context.Context, ref warehouse.TableRef) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	if err := w.table(ref).Delete(ctx); err != nil {
		return translate(err, tableOp(ref, "bigquery.tables.delete"))
	}
	return nil
}

// copyOnce runs a copy job of the given kind into a new table. When dst
// exists already and is src's copy (its snapshot, or the same columns and
// rows), it is taken as the copy an earlier try made.
func (w *Warehouse) copyOnce(ctx context.Context, kind bigquery.TableCopyOperationType, src, dst warehouse.TableRef) error {
	c := w.table(dst).CopierFrom(w.table(src))
	c.OperationType = kind
	c.CreateDisposition = bigquery.CreateIfNeeded
	c.WriteDisposition = bigquery.WriteEmpty
	c.Labels = jobLabels(strings.ToLower(string(kind)))
	o := op{permission: fmt.Sprintf("bigquery.tables.getData on %s and bigquery.tables.create on %s", src, dst)}
	err := w.runJob(ctx, "", func() (*bigquery.Job, error) { return c.Run(ctx) }, o)
	if err == nil || !isDuplicate(err) {
		return err
	}
	same, serr := w.isCopy(ctx, kind, src, dst)
	if serr != nil {
		return serr
	}
	if !same {
		return fmt.Errorf("%s already exists and is not a copy of %s: %w", dst, src, err)
	}
	return nil
}

// isCopy recognises the copy an earlier try made. A snapshot names its
// base table; a copy or a restore must hold the same columns and rows,
// which the checksums compare (a full scan, on this retry path only).
func (w *Warehouse) isCopy(ctx context.Context, kind bigquery.TableCopyOperationType, src, dst warehouse.TableRef) (bool, error) {
	dstMeta, err := w.metadata(ctx, dst)
	if err != nil {
		return false, err
	}
	if kind == bigquery.SnapshotOperation {
		base := dstMeta.SnapshotDefinition
		return base != nil && base.BaseTableReference != nil &&
			base.BaseTableReference.DatasetID == src.Schema && base.BaseTableReference.TableID == src.Table, nil
	}
	a, err := w.checksum(ctx, src, "TRUE", nil)
	if err != nil {
		return false, err
	}
	b, err := w.checksum(ctx, dst, "TRUE", nil)
	return err == nil && a == b, err
}

// exists reports whether a table is there; errors count as "don't know",
// which callers treat as no.
func (w *Warehouse) exists(ctx context.Context, ref warehouse.TableRef) bool {
	_, err := w.table(ref).Metadata(ctx)
	return err == nil
}

func isNotFound(err error) bool {
	var nf *warehouse.NotFoundError
	return errors.As(err, &nf)
}
