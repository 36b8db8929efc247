package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/dre-dev/dre/internal/schemasnap"
	"github.com/dre-dev/dre/internal/warehouse"
)

// SchemaSnapshots keeps the last known shape of each diagnosed table;
// schemasnap.Store (dre's state database) satisfies it.
type SchemaSnapshots interface {
	Load(ctx context.Context, key string) (schemasnap.Snapshot, bool, error)
	Save(ctx context.Context, key string, snap schemasnap.Snapshot) error
}

// schemaDrift compares a table's columns with its stored snapshot and
// returns the changes, and a note on the snapshot compared with.
//
// The rule: the first look records the shape; a later look that finds the
// shape changed reports the changes and records the new shape, so each
// change is reported once, by the diagnosis that first sees it (in the
// incident it belongs to), and later diagnoses compare with the new shape.
// A retry of that same diagnosis attempt compares with the shape it
// replaced, so a lost activity result cannot lose the finding.
func (d *Diagnosis) schemaDrift(ctx context.Context, key string, current []warehouse.Column) (changes []string, note string, err error) {
	now := time.Now().UTC()
	me := attemptID(ctx)
	snap, ok, err := d.Snapshots.Load(ctx, key)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		err := d.Snapshots.Save(ctx, key, schemasnap.Snapshot{Columns: current, TakenAt: now, TakenBy: me})
		return nil, fmt.Sprintf("first look: recorded its %d columns as the snapshot", len(current)), err
	}
	base, baseAt := snap.Columns, snap.TakenAt
	retry := me != "" && snap.TakenBy == me
	if retry && snap.Previous != nil {
		base, baseAt = snap.Previous, snap.PreviousTakenAt
	}
	changes = columnChanges(base, current)
	note = "since the snapshot of " + baseAt.Format(time.RFC3339)
	if len(changes) > 0 && !retry {
		err = d.Snapshots.Save(ctx, key, schemasnap.Snapshot{Columns: current, TakenAt: now, TakenBy: me,
			Previous: snap.Columns, PreviousTakenAt: snap.TakenAt})
	}
	return changes, note, err
}

// attemptID names the running activity the same way on each of its
// retries; "" outside an activity.
func attemptID(ctx context.Context) string {
	if !activity.IsActivity(ctx) {
		return ""
	}
	info := activity.GetInfo(ctx)
	return info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID + "/" + info.ActivityID
}

// columnChanges lists dropped, added, retyped and nullability-changed
// columns of now against was, matching names case-insensitively as the
// warehouses do.
func columnChanges(was, now []warehouse.Column) []string {
	byName := func(cols []warehouse.Column) map[string]warehouse.Column {
		m := make(map[string]warehouse.Column, len(cols))
		for _, c := range cols {
			m[strings.ToLower(c.Name)] = c
		}
		return m
	}
	before, after := byName(was), byName(now)
	var dropped, added, changed []string
	for _, c := range was {
		n, ok := after[strings.ToLower(c.Name)]
		switch {
		case !ok:
			dropped = append(dropped, fmt.Sprintf("%s (%s)", c.Name, c.Type))
		case !strings.EqualFold(n.Type, c.Type):
			changed = append(changed, fmt.Sprintf("type of %s changed from %s to %s", c.Name, c.Type, n.Type))
		}
		if ok && n.Nullable != c.Nullable {
			changed = append(changed, fmt.Sprintf("%s became %s", c.Name, nullability(n.Nullable)))
		}
	}
	for _, c := range now {
		if _, ok := before[strings.ToLower(c.Name)]; !ok {
			added = append(added, fmt.Sprintf("%s (%s)", c.Name, c.Type))
		}
	}
	var out []string
	if len(dropped) > 0 {
		out = append(out, "dropped column(s) "+strings.Join(dropped, ", "))
	}
	if len(added) > 0 {
		out = append(out, "added column(s) "+strings.Join(added, ", "))
	}
	return append(out, changed...)
}

func nullability(nullable bool) string {
	if nullable {
		return "nullable"
	}
	return "NOT NULL"
}
