package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// DeprecateRestoreSnapshotInput recreates a dropped table from the
// snapshot its deprecation took.
type DeprecateRestoreSnapshotInput struct {
	DeprecateTable
	// Snapshot is schema.table of the copy.
	Snapshot string `json:"snapshot"`
	// Meta is the metadata the table must carry again, exactly.
	Meta warehouse.TableMeta `json:"meta"`
}

// DeprecateRestoreSnapshot recreates the table from its snapshot with
// in.Meta, reads the metadata back and compares, and writes an audit
// record. It returns what it read.
//
// A table already at home on the first attempt belongs to someone else
// (created after the drop), so it is refused rather than overwritten; on
// a later attempt it is this restore's own work, whose metadata is only
// brought in line and verified.
func (d *Deprecations) DeprecateRestoreSnapshot(ctx context.Context, in DeprecateRestoreSnapshotInput) (warehouse.TableMeta, error) {
	w, ref, err := d.open(ctx, in.DeprecateTable)
	if err != nil {
		return warehouse.TableMeta{}, err
	}
	snap, err := warehouse.ParseTableRef(in.Snapshot)
	if err != nil {
		return warehouse.TableMeta{}, backfillFailure(&warehouse.InvalidIdentifierError{Name: in.Snapshot})
	}
	home, err := exists(ctx, w, ref)
	if err != nil {
		return warehouse.TableMeta{}, backfillFailure(err)
	}
	switch {
	case home && activity.GetInfo(ctx).Attempt <= 1:
		return warehouse.TableMeta{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"%s exists already, so it was not overwritten with %s; rename or drop it, then restore again", in.Table, in.Snapshot),
			errInvalidInput, nil)
	case !home:
		if err := w.Restore(ctx, snap, ref, in.Meta); err != nil {
			return warehouse.TableMeta{}, backfillFailure(err)
		}
	}
	got, err := d.settle(ctx, w, ref, in.Meta)
	if err != nil {
		return got, err
	}
	return got, d.audit(ctx, "deprecate.restore-snapshot", in.Table, map[string]any{"snapshot": in.Snapshot})
}

// settle makes the restored table's metadata exactly want's and verifies
// it by reading it back. Restore applies want already; settle removes what
// it cannot know to remove, such as the grant the new table's owner gets,
// and covers an empty want, which Restore reads as "what the snapshot
// recorded" (the deprecated table's, not the original's).
func (d *Deprecations) settle(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, want warehouse.TableMeta) (warehouse.TableMeta, error) {
	now, err := w.Metadata(ctx, ref)
	if err != nil {
		return now, backfillFailure(err)
	}
	if err := reapply(ctx, w, ref, now, want); err != nil {
		return now, backfillFailure(err)
	}
	got, err := w.Metadata(ctx, ref)
	if err != nil {
		return got, backfillFailure(err)
	}
	if diff := MetaDiff(got, want); diff != "" {
		return got, fmt.Errorf("restored %s differs from before the deprecation (%s); retrying", ref, diff)
	}
	return got, nil
}
