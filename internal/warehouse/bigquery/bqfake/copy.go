package bqfake

import (
	"strings"
	"time"

	bq "google.golang.org/api/bigquery/v2"
)

// runCopy runs a copy job: COPY (the default), SNAPSHOT or RESTORE. The
// new table gets the source's schema and partitioning; description,
// labels and IAM stay behind, and a RESTORE also drops policy tags.
func (s *Server) runCopy(cfg *bq.JobConfigurationTableCopy) *apiError {
	srcRef := cfg.SourceTable
	if len(cfg.SourceTables) == 1 {
		srcRef = cfg.SourceTables[0]
	}
	if srcRef == nil || len(cfg.SourceTables) > 1 {
		return errInvalid("the BigQuery stand-in copies exactly one source table")
	}
	if strings.Contains(srcRef.TableId, "$") || strings.Contains(cfg.DestinationTable.TableId, "$") {
		return s.copyPartition(cfg, srcRef)
	}
	src, err := s.lookup(srcRef.DatasetId, srcRef.TableId)
	if err != nil {
		return err
	}
	srcKey, dst := tableKey(srcRef.DatasetId, srcRef.TableId), cfg.DestinationTable
	dstKey := tableKey(dst.DatasetId, dst.TableId)
	if err := s.check("bigquery.tables.getData", srcKey); err != nil {
		return err
	}
	if err := s.check("bigquery.tables.create", dstKey); err != nil {
		return err
	}
	kind := cfg.OperationType
	if kind == "" {
		kind = "COPY"
	}
	if err := s.checkCopyKind(kind, src, srcKey); err != nil {
		return err
	}
	if err := s.clearDestination(kind, cfg.WriteDisposition, dst, dstKey); err != nil {
		return err
	}
	return s.copyInto(kind, src, srcRef, dst)
}

func (s *Server) checkCopyKind(kind string, src *table, srcKey string) *apiError {
	switch {
	case kind == "RESTORE" && src.meta.Type != "SNAPSHOT":
		return errInvalid("Source table %s:%s is not a table snapshot: RESTORE copies from snapshots", s.Project, srcKey)
	case kind == "SNAPSHOT" && src.meta.Type == "SNAPSHOT":
		return errInvalid("Cannot snapshot the table snapshot %s:%s", s.Project, srcKey)
	case kind != "COPY" && kind != "SNAPSHOT" && kind != "RESTORE":
		return errInvalid("the BigQuery stand-in does not run %s copies", kind)
	}
	return nil
}

// clearDestination applies the write disposition to an existing table:
// WRITE_EMPTY (the default) and snapshots refuse one with rows.
func (s *Server) clearDestination(kind, disposition string, dst *bq.TableReference, key string) *apiError {
	if !s.datasets[dst.DatasetId] {
		return errNotFound("Not found: Dataset %s:%s", s.Project, dst.DatasetId)
	}
	t, ok := s.tables[key]
	if !ok {
		return nil
	}
	if disposition == "WRITE_APPEND" {
		return errInvalid("the BigQuery stand-in does not append copies")
	}
	rows, _, err := s.size(key, t.meta.Schema)
	if err != nil {
		return newError("backendError", "%v", err)
	}
	emptyOnly := disposition != "WRITE_TRUNCATE"
	if kind == "SNAPSHOT" || (emptyOnly && rows > 0) {
		return errExists("Already Exists: Table %s:%s", s.Project, key)
	}
	return s.dropTable(key)
}

// copyInto creates the destination with the source's shape and rows.
func (s *Server) copyInto(kind string, src *table, srcRef, dst *bq.TableReference) *apiError {
	meta := &bq.Table{Schema: copySchema(src.meta.Schema, kind == "RESTORE"), TimePartitioning: src.meta.TimePartitioning}
	if kind == "SNAPSHOT" {
		meta.Type = "SNAPSHOT"
		meta.SnapshotDefinition = &bq.SnapshotDefinition{
			BaseTableReference: &bq.TableReference{ProjectId: s.Project, DatasetId: srcRef.DatasetId, TableId: srcRef.TableId},
			SnapshotTime:       time.Now().UTC().Format(time.RFC3339Nano),
		}
	}
	if _, err := s.newTable(dst.DatasetId, dst.TableId, meta); err != nil {
		return err
	}
	from := quoteIdent(s.sqlName(tableKey(srcRef.DatasetId, srcRef.TableId)))
	to := quoteIdent(s.sqlName(tableKey(dst.DatasetId, dst.TableId)))
	if _, err := s.db.Exec("INSERT INTO " + to + " SELECT * FROM " + from); err != nil {
		return sqliteError(err)
	}
	return nil
}

// copySchema copies a schema, without policy tags when dropTags.
func copySchema(in *bq.TableSchema, dropTags bool) *bq.TableSchema {
	out := &bq.TableSchema{}
	for _, f := range in.Fields {
		c := *f
		if dropTags {
			c.PolicyTags = nil
		}
		out.Fields = append(out.Fields, &c)
	}
	return out
}
