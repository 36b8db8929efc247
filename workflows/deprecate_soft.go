package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// softDelete records the table's metadata, revokes its reads and moves it
// to the archive schema under a dated name.
func (d *deprecation) softDelete(ctx workflow.Context) error {
	if d.s.Pause != nil { // a veto that came after the gate
		if err := d.decide(ctx); err != nil || d.cancelled {
			return err
		}
	}
	d.setPhase(ctx, DeprecateSoftDelete, time.Time{})
	var a *activities.Deprecations
	var meta warehouse.TableMeta
	if err := d.act(ctx, "record the metadata of "+d.s.Table, a.DeprecateReadMetadata, d.target(), &meta); err != nil {
		return err
	}
	d.atSoftDelete = &meta
	if d.s.Original != nil {
		restorable := d.restoreMeta()
		d.s.Restorable = &restorable
	}
	var revoked []warehouse.Grant
	in := activities.DeprecateGrantsInput{DeprecateTable: d.target(), Grants: meta.Grants, Why: "soft delete"}
	if err := d.act(ctx, "revoke reads on "+d.s.Table, a.DeprecateRevokeReads, in, &revoked); err != nil {
		return err
	}
	archived := ArchivedName(d.in.Dataset, workflow.Now(ctx))
	move := activities.DeprecateMoveInput{Warehouse: d.in.Dataset.Warehouse, From: d.s.Table, To: archived}
	if err := d.act(ctx, "move "+d.s.Table+" to "+archived, a.DeprecateArchive, move, nil); err != nil {
		return err
	}
	d.s.Archived = archived
	d.s.DropAt = workflow.Now(ctx).Add(d.life.SoftDeleteRetention.Duration)
	d.record(ctx, fmt.Sprintf("soft-deleted: moved to %s, %d read grants revoked", archived, len(revoked)), "")
	d.tellOwner(ctx, fmt.Sprintf(":file_cabinet: %s is soft-deleted: moved to %s, reads revoked. Its %s on %s; `dre deprecate cancel %s` restores it until then.",
		d.s.Table, archived, d.life.FinalAction, d.s.DropAt.UTC().Format(time.RFC3339), d.s.Dataset))
	return nil
}

// ArchivedName is where a soft delete on day now moves a dataset's table:
// <archive schema>.<schema>_<table>_<yyyymmdd>, shortened so that it and
// its snapshot's name (with _snap) fit PostgreSQL's 63 characters. The
// date keeps a second deprecation of a table of the same name from
// colliding with the first.
func ArchivedName(ds catalog.Dataset, now time.Time) string {
	schema := DeprecateDefaultArchiveSchema
	if ds.Lifecycle != nil && ds.Lifecycle.ArchiveSchema != "" {
		schema = ds.Lifecycle.ArchiveSchema
	}
	src, table := ds.SchemaTable()
	name := src + "_" + table
	suffix := "_" + now.UTC().Format("20060102")
	if limit := 63 - len(deprecateSnapshotSuffix) - len(suffix); len(name) > limit {
		name = name[:limit]
	}
	return schema + "." + name + suffix
}

// deprecateSnapshotSuffix names an archived table's snapshot.
const deprecateSnapshotSuffix = "_snap"

// retention waits out the soft-delete retention; a cancel until its end
// restores the table, a veto pauses the drop for the owner.
func (d *deprecation) retention(ctx workflow.Context) error {
	d.setPhase(ctx, DeprecateRetention, d.s.DropAt)
	for !d.cancelled {
		if d.s.Pause != nil {
			if err := d.decide(ctx); err != nil {
				return err
			}
			continue
		}
		if !workflow.Now(ctx).Before(d.s.DropAt) {
			return nil
		}
		if err := d.sleepUntil(ctx, d.s.DropAt, func() bool { return d.s.Pause != nil }); err != nil {
			return err
		}
	}
	return nil
}

// finish snapshots the archived table when the lifecycle asks for it,
// then drops it, or leaves it archived.
func (d *deprecation) finish(ctx workflow.Context) error {
	var a *activities.Deprecations
	if d.life.Snapshot {
		d.setPhase(ctx, DeprecateSnapshot, time.Time{})
		snap := d.s.Archived + deprecateSnapshotSuffix
		in := activities.DeprecateMoveInput{Warehouse: d.in.Dataset.Warehouse, From: d.s.Archived, To: snap}
		if err := d.act(ctx, "snapshot "+d.s.Archived, a.DeprecateSnapshot, in, nil); err != nil {
			return err
		}
		d.s.Snapshot = snap
		d.record(ctx, "snapshot taken: "+snap, "")
	}
	d.setPhase(ctx, DeprecateFinal, time.Time{})
	if d.life.FinalAction == catalog.FinalArchive {
		d.s.Status = DeprecateArchived
		d.record(ctx, "kept archived as "+d.s.Archived, "")
	} else {
		in := activities.DeprecateMoveInput{Warehouse: d.in.Dataset.Warehouse, From: d.s.Archived}
		if err := d.act(ctx, "drop "+d.s.Archived, a.DeprecateDrop, in, nil); err != nil {
			return err
		}
		d.s.Status = DeprecateDropped
		d.record(ctx, "dropped "+d.s.Archived, "")
	}
	d.tellOwner(ctx, fmt.Sprintf(":wastebasket: %s is retired: %s.%s", d.s.Table, d.s.Status, d.snapshotNote()))
	d.setPhase(ctx, DeprecateDone, time.Time{})
	return nil
}

func (d *deprecation) snapshotNote() string {
	if d.s.Snapshot == "" {
		return ""
	}
	return " Snapshot " + d.s.Snapshot + " is kept; `dre deprecate restore " + d.s.Dataset + "` brings the table back from it."
}
