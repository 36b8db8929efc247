package bqfake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	bq "google.golang.org/api/bigquery/v2"
)

// partitionLayouts are the decorator formats per partitioning type.
var partitionLayouts = map[string]string{"HOUR": "2006010215", "DAY": "20060102", "MONTH": "200601", "YEAR": "2006"}

// span is the stored-form bounds [lo, hi) of one partition's column.
type span struct {
	column, lo, hi string
}

// partitionSpan reads a decorator (table$20260102) against the table's
// time partitioning.
func (s *Server) partitionSpan(t *table, key, decorator string) (span, *apiError) {
	tp := t.meta.TimePartitioning
	if tp == nil || tp.Field == "" {
		return span{}, errInvalid("Cannot write to partition %s of %s:%s: the stand-in supports column-partitioned tables only", decorator, s.Project, key)
	}
	layout := partitionLayouts[tp.Type]
	start, err := time.Parse(layout, decorator)
	if err != nil || len(decorator) != len(layout) {
		return span{}, errInvalid("Invalid partition decorator %s for %s partitioning of %s:%s", decorator, tp.Type, s.Project, key)
	}
	end := map[string]time.Time{
		"HOUR": start.Add(time.Hour), "DAY": start.AddDate(0, 0, 1), "MONTH": start.AddDate(0, 1, 0), "YEAR": start.AddDate(1, 0, 0),
	}[tp.Type]
	stored := timestampLayout
	for _, f := range t.meta.Schema.Fields {
		if f.Name == tp.Field && f.Type == "DATE" {
			stored = dateLayout
		} else if f.Name == tp.Field && f.Type == "DATETIME" {
			stored = datetimeLayout
		}
	}
	return span{column: tp.Field, lo: start.Format(stored), hi: end.Format(stored)}, nil
}

// writeDestination writes a SELECT's rows into its destination table, or
// into one partition of it, with the job's write disposition. BigQuery
// refuses rows that fall outside the decorated partition, and so does this.
func (s *Server) writeDestination(ctx context.Context, cfg *bq.JobConfigurationQuery, res *result) (int64, *apiError) {
	dst := cfg.DestinationTable
	name, decorator, _ := strings.Cut(dst.TableId, "$")
	key := tableKey(dst.DatasetId, name)
	t, err := s.lookup(dst.DatasetId, name)
	if err != nil {
		return 0, err // CREATE_NEVER, and the stand-in never creates tables from query results
	}
	if err := s.writable(t, key); err != nil {
		return 0, err
	}
	where := "1 = 1"
	var sp span
	if decorator != "" {
		if sp, err = s.partitionSpan(t, key, decorator); err != nil {
			return 0, err
		}
		if err := outside(res, sp, decorator); err != nil {
			return 0, err
		}
		where = fmt.Sprintf("%s >= @lo AND %s < @hi", quoteIdent(sp.column), quoteIdent(sp.column))
	}
	if err := s.replaceRows(ctx, t, key, cfg.WriteDisposition, where, sp, res); err != nil {
		return 0, err
	}
	t.touch()
	return int64(len(res.rows)), nil
}

// outside fails when a row's partition column is not in the partition.
func outside(res *result, sp span, decorator string) *apiError {
	col := -1
	for i, f := range res.schema.Fields {
		if f.Name == sp.column {
			col = i
		}
	}
	if col < 0 {
		return errInvalid("The query result has no column %s, the partitioning column of the destination", sp.column)
	}
	for _, row := range res.rows {
		v, _ := row[col].(string)
		if v < sp.lo || v >= sp.hi {
			return errInvalid("Some rows belong to different partitions rather than destination partition %s", decorator)
		}
	}
	return nil
}

// replaceRows applies the write disposition and inserts the rows, in one
// SQLite transaction, matching result columns to table columns by name.
func (s *Server) replaceRows(ctx context.Context, t *table, key, disposition, where string, sp span, res *result) *apiError {
	table := quoteIdent(s.sqlName(key))
	bounds := []any{sql.Named("lo", sp.lo), sql.Named("hi", sp.hi)}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return newError("backendError", "%v", err)
	}
	defer func() { _ = tx.Rollback() }()
	switch disposition {
	case "WRITE_TRUNCATE":
		_, err = tx.Exec("DELETE FROM "+table+" WHERE "+where, bounds...)
	case "WRITE_APPEND":
	default: // WRITE_EMPTY
		var n int
		err = tx.QueryRow("SELECT COUNT(*) FROM "+table+" WHERE "+where, bounds...).Scan(&n)
		if err == nil && n > 0 {
			return errExists("Already Exists: Table %s:%s", s.Project, key)
		}
	}
	if err != nil {
		return sqliteError(err)
	}
	if err := insertRows(tx, table, t.meta.Schema, res); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return sqliteError(err)
	}
	return nil
}

func insertRows(tx *sql.Tx, table string, schema *bq.TableSchema, res *result) *apiError {
	names := make([]string, len(res.schema.Fields))
	marks := make([]string, len(res.schema.Fields))
	for i, f := range res.schema.Fields {
		if !hasField(schema, f.Name) {
			return errInvalid("Provided Schema does not match Table. Cannot add fields (field: %s)", f.Name)
		}
		names[i], marks[i] = quoteIdent(f.Name), "?"
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(names, ", "), strings.Join(marks, ", "))
	for _, row := range res.rows {
		if _, err := tx.Exec(q, row...); err != nil {
			return sqliteError(err)
		}
	}
	return nil
}

func hasField(schema *bq.TableSchema, name string) bool {
	for _, f := range schema.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}
