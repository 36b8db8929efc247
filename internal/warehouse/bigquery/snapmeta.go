package bigquery

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// savedMeta is the metadata a table must keep across a move or a
// snapshot: TableMeta, plus every column's raw policy tags, including tags
// that stand for no PII kind dre knows (they still guard the column).
type savedMeta struct {
	warehouse.TableMeta
	PolicyTags map[string][]string `json:"policyTags,omitempty"`
}

// fullMeta reads a table's savedMeta, and its metadata.
func (w *Warehouse) fullMeta(ctx context.Context, ref warehouse.TableRef) (savedMeta, *bigquery.TableMetadata, error) {
	md, err := w.metadata(ctx, ref)
	if err != nil {
		return savedMeta{}, nil, err
	}
	grants, err := w.Grants(ctx, ref)
	if err != nil {
		return savedMeta{}, nil, err
	}
	saved := savedMeta{TableMeta: warehouse.TableMeta{Comment: md.Description, Labels: md.Labels, Grants: grants}}
	for _, f := range md.Schema {
		if f.PolicyTags == nil || len(f.PolicyTags.Names) == 0 {
			continue
		}
		saved.PolicyTags = setKey(saved.PolicyTags, f.Name, f.PolicyTags.Names)
		if kind := w.pii.kindOf(f.PolicyTags); kind != "" {
			saved.PII = setKey(saved.PII, f.Name, kind)
		}
	}
	return saved, md, nil
}

// setKey sets m[k] = v, making m first if it is nil, so that empty maps
// stay nil (and absent from JSON).
func setKey[V any](m map[string]V, k string, v V) map[string]V {
	if m == nil {
		m = map[string]V{}
	}
	m[k] = v
	return m
}

// overlay puts meta's non-empty parts over what was recorded; a PII kind
// replaces the recorded tags of its column.
func (s savedMeta) overlay(meta warehouse.TableMeta) savedMeta {
	if meta.Comment != "" {
		s.Comment = meta.Comment
	}
	if len(meta.Labels) > 0 {
		s.Labels = meta.Labels
	}
	if len(meta.Grants) > 0 {
		s.Grants = meta.Grants
	}
	if len(meta.PII) > 0 {
		s.PII = meta.PII
	}
	return s
}

// reapply writes comment, labels and policy tags in one guarded update,
// then the grants in one policy change.
func (w *Warehouse) reapply(ctx context.Context, ref warehouse.TableRef, s savedMeta) error {
	tags := maps.Clone(s.PolicyTags)
	if tags == nil {
		tags = map[string][]string{}
	}
	for column, kind := range s.PII {
		tag, ok := w.pii.tagByKind[kind]
		if !ok {
			return fmt.Errorf("column %s.%s is tagged %q, but no BigQuery policy tag stands for that PII kind: map one with SetPIIPolicyTags", ref, column, kind)
		}
		tags[column] = []string{tag}
	}
	err := w.update(ctx, ref, func(md *bigquery.TableMetadata) (bigquery.TableMetadataToUpdate, error) {
		return metaUpdate(ref, md, s, tags)
	})
	if err != nil {
		return err
	}
	grants := make([]warehouse.Grant, len(s.Grants))
	for i, g := range s.Grants {
		g.Table = ref // grants were read on the source table
		if err := validateGrant(g); err != nil {
			return err
		}
		grants[i] = g
	}
	if len(grants) == 0 {
		return nil
	}
	return w.changeGrants(ctx, ref, grants, true)
}

// metaUpdate builds the update reapply sends.
func metaUpdate(ref warehouse.TableRef, md *bigquery.TableMetadata, s savedMeta, tags map[string][]string) (bigquery.TableMetadataToUpdate, error) {
	u := bigquery.TableMetadataToUpdate{}
	if s.Comment != "" {
		u.Description = s.Comment
	}
	for k, v := range s.Labels {
		u.SetLabel(k, v)
	}
	if len(tags) > 0 {
		schema := cloneSchema(md.Schema)
		for column, names := range tags {
			f := findField(schema, column)
			if f == nil {
				return u, &warehouse.NotFoundError{Kind: "column", Name: ref.String() + "." + column}
			}
			f.PolicyTags = &bigquery.PolicyTagList{Names: names}
		}
		u.Schema = schema
	}
	return u, nil
}

// recordSnapshot stores what Restore will need, unless a retried Snapshot
// stored it already: a row recorded after the snapshot was created. (An
// older row is from an earlier snapshot that had the same name.)
func (w *Warehouse) recordSnapshot(ctx context.Context, src, dst warehouse.TableRef, saved savedMeta) error {
	snap, err := w.metadata(ctx, dst)
	if err != nil {
		return err
	}
	_, takenAt, found, err := w.snapshotRow(ctx, dst)
	if err != nil || (found && !takenAt.Before(snap.CreationTime)) {
		return err
	}
	body, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	sql := fmt.Sprintf("INSERT INTO %s (snapshot, source, meta, taken_at) VALUES (@snapshot, @source, @meta, @at)", w.qualified(metaRef(snapshotMeta)))
	params := []bigquery.QueryParameter{
		{Name: "snapshot", Value: dst.String()},
		{Name: "source", Value: src.String()},
		{Name: "meta", Value: string(body)},
		{Name: "at", Value: time.Now().UTC()},
	}
	return w.exec(ctx, "", "snapshot", sql, params, tableOp(metaRef(snapshotMeta), "bigquery.tables.updateData"))
}

// loadSnapshot returns the recorded metadata of a snapshot created at
// created; a snapshot taken without dre has none, which is not an error.
func (w *Warehouse) loadSnapshot(ctx context.Context, snapshot warehouse.TableRef, created time.Time) (savedMeta, error) {
	body, takenAt, found, err := w.snapshotRow(ctx, snapshot)
	if err != nil || !found || takenAt.Before(created) {
		return savedMeta{}, err
	}
	var saved savedMeta
	if err := json.Unmarshal([]byte(body), &saved); err != nil {
		return savedMeta{}, fmt.Errorf("metadata recorded for snapshot %s: %w", snapshot, err)
	}
	return saved, nil
}

// snapshotRow reads the latest row recorded for a snapshot: the metadata
// as JSON and when it was recorded.
func (w *Warehouse) snapshotRow(ctx context.Context, snapshot warehouse.TableRef) (string, time.Time, bool, error) {
	if err := w.ensureMeta(ctx, snapshotMeta); err != nil {
		return "", time.Time{}, false, err
	}
	sql := fmt.Sprintf("SELECT meta, taken_at FROM %s WHERE snapshot = @snapshot ORDER BY taken_at DESC LIMIT 1", w.qualified(metaRef(snapshotMeta)))
	rows, err := w.read(ctx, "snapshot", sql, []bigquery.QueryParameter{{Name: "snapshot", Value: snapshot.String()}},
		tableOp(metaRef(snapshotMeta), "bigquery.tables.getData"))
	if err != nil || len(rows) == 0 {
		return "", time.Time{}, false, err
	}
	body, _ := rows[0][0].(string)
	takenAt, _ := rows[0][1].(time.Time)
	return body, takenAt, true, nil
}
