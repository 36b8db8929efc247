package activities

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/dre-dev/dre/internal/warehouse"
)

// DeprecateMoveInput moves, copies or drops a table during a deprecation.
type DeprecateMoveInput struct {
	Warehouse string `json:"warehouse"`
	// From and To are schema.table.
	From string `json:"from"`
	To   string `json:"to,omitempty"`
}

// refs parses From and To and opens the warehouse.
func (d *Deprecations) refs(ctx context.Context, in DeprecateMoveInput) (warehouse.Warehouse, warehouse.TableRef, warehouse.TableRef, error) {
	w, from, err := d.open(ctx, DeprecateTable{Warehouse: in.Warehouse, Table: in.From})
	if err != nil || in.To == "" {
		return w, from, warehouse.TableRef{}, err
	}
	to, err := warehouse.ParseTableRef(in.To)
	if err != nil {
		return nil, from, to, backfillFailure(&warehouse.InvalidIdentifierError{Name: in.To})
	}
	return w, from, to, nil
}

// exists reports whether a table is there.
func exists(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef) (bool, error) {
	_, err := w.Metadata(ctx, ref)
	if errors.As(err, new(*warehouse.NotFoundError)) {
		return false, nil
	}
	return err == nil, err
}

// DeprecateArchive soft-deletes a table by moving it to the archive
// schema. A retry after the move finds From gone and To there, and stops.
func (d *Deprecations) DeprecateArchive(ctx context.Context, in DeprecateMoveInput) error {
	w, from, to, err := d.refs(ctx, in)
	if err != nil {
		return err
	}
	err = w.Move(ctx, from, to)
	if errors.As(err, new(*warehouse.NotFoundError)) {
		if moved, xerr := exists(ctx, w, to); xerr == nil && moved {
			err = nil
		}
	}
	if err != nil {
		return backfillFailure(err)
	}
	return d.audit(ctx, "deprecate.soft-delete", in.From, map[string]any{"archived": in.To})
}

// DeprecateSnapshot copies a table, with its metadata, to To unless To
// already exists (a retry after the copy).
func (d *Deprecations) DeprecateSnapshot(ctx context.Context, in DeprecateMoveInput) error {
	w, from, to, err := d.refs(ctx, in)
	if err != nil {
		return err
	}
	if taken, err := exists(ctx, w, to); err != nil || taken {
		return backfillFailure(err)
	}
	if err := w.Snapshot(ctx, from, to); err != nil {
		return backfillFailure(err)
	}
	return d.audit(ctx, "deprecate.snapshot", in.From, map[string]any{"snapshot": in.To})
}

// DeprecateDrop drops the table; a table already gone counts as dropped.
func (d *Deprecations) DeprecateDrop(ctx context.Context, in DeprecateMoveInput) error {
	w, from, _, err := d.refs(ctx, in)
	if err != nil {
		return err
	}
	if err := w.Drop(ctx, from); err != nil && !errors.As(err, new(*warehouse.NotFoundError)) {
		return backfillFailure(err)
	}
	return d.audit(ctx, "deprecate.drop", in.From, nil)
}

// DeprecateRestoreInput puts a deprecated table back as it was.
type DeprecateRestoreInput struct {
	DeprecateTable
	// Archived is where the soft delete moved the table, "" when it did not.
	Archived string `json:"archived,omitempty"`
	// Meta is the metadata to put back, exactly.
	Meta warehouse.TableMeta `json:"meta"`
}

// DeprecateRestoreTable moves the table back from the archive, then makes
// its comment, labels, PII tags and grants exactly Meta's, and reads them
// back to verify. It returns what it read.
func (d *Deprecations) DeprecateRestoreTable(ctx context.Context, in DeprecateRestoreInput) (warehouse.TableMeta, error) {
	w, ref, err := d.open(ctx, in.DeprecateTable)
	if err != nil {
		return warehouse.TableMeta{}, err
	}
	if err := d.moveBack(ctx, w, in.Archived, ref); err != nil {
		return warehouse.TableMeta{}, err
	}
	got, err := d.settle(ctx, w, ref, in.Meta)
	if err != nil {
		return got, err
	}
	return got, d.audit(ctx, "deprecate.restore", in.Table, map[string]any{"from": in.Archived})
}

// moveBack moves the archived table home unless it is home already.
func (d *Deprecations) moveBack(ctx context.Context, w warehouse.Warehouse, archived string, ref warehouse.TableRef) error {
	if archived == "" {
		return nil
	}
	if home, err := exists(ctx, w, ref); err != nil || home {
		return backfillFailure(err)
	}
	from, err := warehouse.ParseTableRef(archived)
	if err != nil {
		return backfillFailure(&warehouse.InvalidIdentifierError{Name: archived})
	}
	return backfillFailure(w.Move(ctx, from, ref))
}

// reapply changes what differs between now and want.
func reapply(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, now, want warehouse.TableMeta) error {
	if now.Comment != want.Comment {
		if err := w.SetComment(ctx, ref, want.Comment); err != nil {
			return err
		}
	}
	labels := maps.Clone(want.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	for k := range now.Labels {
		if _, keep := want.Labels[k]; !keep {
			labels[k] = "" // SetLabels removes a key mapped to ""
		}
	}
	if !maps.Equal(now.Labels, want.Labels) {
		if err := w.SetLabels(ctx, ref, labels); err != nil {
			return err
		}
	}
	for _, col := range slices.Sorted(maps.Keys(mergeKeys(now.PII, want.PII))) {
		if now.PII[col] != want.PII[col] {
			if err := w.TagPII(ctx, ref, col, want.PII[col]); err != nil {
				return err
			}
		}
	}
	return regrant(ctx, w, ref, now.Grants, want.Grants)
}

// regrant gives the grants want has and now lacks, and revokes the others.
func regrant(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, now, want []warehouse.Grant) error {
	have, need := grantSet(now, ref), grantSet(want, ref)
	for _, g := range slices.SortedFunc(maps.Keys(need), compareGrants) {
		if !have[g] {
			if err := w.Grant(ctx, g); err != nil {
				return err
			}
		}
	}
	for _, g := range slices.SortedFunc(maps.Keys(have), compareGrants) {
		if !need[g] {
			if err := w.Revoke(ctx, g); err != nil {
				return err
			}
		}
	}
	return nil
}
