package bqfake

import (
	"fmt"
	"strings"

	bq "google.golang.org/api/bigquery/v2"
)

// copyPartition runs a COPY whose source or destination carries a
// partition decorator (table$20260102): the source partition's rows (all
// of the source's rows without a decorator) replace, with WRITE_TRUNCATE,
// the rows of the destination partition, which must exist. As BigQuery,
// it refuses a destination without its decorator, rows outside the
// destination partition, schemas that differ, and partitioning that
// differs; unlike BigQuery it needs the destination table to exist.
func (s *Server) copyPartition(cfg *bq.JobConfigurationTableCopy, srcRef *bq.TableReference) *apiError {
	if cfg.OperationType != "" && cfg.OperationType != "COPY" {
		return errInvalid("Partition decorators are not allowed in %s jobs", cfg.OperationType)
	}
	dst := cfg.DestinationTable
	srcName, srcDec, _ := strings.Cut(srcRef.TableId, "$")
	dstName, dstDec, _ := strings.Cut(dst.TableId, "$")
	if dstDec == "" {
		return errInvalid("Copying a partition needs a partition decorator on the destination table %s", dst.TableId)
	}
	src, err := s.lookup(srcRef.DatasetId, srcName)
	if err != nil {
		return err
	}
	to, err := s.lookup(dst.DatasetId, dstName)
	if err != nil {
		return err
	}
	srcKey, dstKey := tableKey(srcRef.DatasetId, srcName), tableKey(dst.DatasetId, dstName)
	if err := s.check("bigquery.tables.getData", srcKey); err != nil {
		return err
	}
	if err := s.writable(to, dstKey); err != nil {
		return err
	}
	if err := s.sameShape(src, to, srcKey, dstKey); err != nil {
		return err
	}
	var from span // the whole source table, without a decorator
	if srcDec != "" {
		if from, err = s.partitionSpan(src, srcKey, srcDec); err != nil {
			return err
		}
	}
	into, err := s.partitionSpan(to, dstKey, dstDec)
	if err != nil {
		return err
	}
	if err := s.copyRows(src, to, srcKey, dstKey, from, into, cfg.WriteDisposition, dstDec); err != nil {
		return err
	}
	to.touch()
	return nil
}

// sameShape refuses a partition copy between tables whose columns (names,
// types, modes, in order) or time partitioning differ.
func (s *Server) sameShape(src, dst *table, srcKey, dstKey string) *apiError {
	a, b := src.meta.Schema.Fields, dst.meta.Schema.Fields
	same := len(a) == len(b)
	for i := 0; same && i < len(a); i++ {
		same = a[i].Name == b[i].Name && a[i].Type == b[i].Type && a[i].Mode == b[i].Mode
	}
	if !same {
		return errInvalid("Provided Schema does not match Table %s:%s: the schema of %s:%s differs", s.Project, dstKey, s.Project, srcKey)
	}
	pa, pb := src.meta.TimePartitioning, dst.meta.TimePartitioning
	if pa == nil || pb == nil || pa.Type != pb.Type || pa.Field != pb.Field {
		return errInvalid("Partitioning specification of %s:%s does not match that of %s:%s", s.Project, srcKey, s.Project, dstKey)
	}
	return nil
}

// copyRows replaces the destination partition's rows with the source's,
// in one SQLite transaction, after checking every row belongs there.
func (s *Server) copyRows(src, dst *table, srcKey, dstKey string, from, into span, disposition, decorator string) *apiError {
	srcTable, dstTable := quoteIdent(s.sqlName(srcKey)), quoteIdent(s.sqlName(dstKey))
	col := quoteIdent(into.column)
	srcWhere, args := "1 = 1", []any{into.lo, into.hi}
	if from.column != "" {
		srcWhere, args = fmt.Sprintf("%s >= ? AND %s < ?", quoteIdent(from.column), quoteIdent(from.column)), append(args, from.lo, from.hi)
	}
	var outside, present int
	err := s.db.QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE NOT (%s >= ? AND %s < ?) AND %s", srcTable, col, col, srcWhere), args...).Scan(&outside)
	if err == nil && outside > 0 {
		return errInvalid("Some rows belong to different partitions rather than destination partition %s", decorator)
	}
	dstWhere := fmt.Sprintf("%s >= ? AND %s < ?", col, col)
	if err == nil {
		err = s.db.QueryRow("SELECT COUNT(*) FROM "+dstTable+" WHERE "+dstWhere, into.lo, into.hi).Scan(&present)
	}
	if err != nil {
		return sqliteError(err)
	}
	switch disposition {
	case "WRITE_TRUNCATE":
	case "WRITE_APPEND":
		return errInvalid("the BigQuery stand-in does not append copies")
	default: // WRITE_EMPTY
		if present > 0 {
			return errExists("Already Exists: Table %s:%s$%s", s.Project, dstKey, decorator)
		}
	}
	names := make([]string, len(dst.meta.Schema.Fields))
	for i, f := range dst.meta.Schema.Fields {
		names[i] = quoteIdent(f.Name)
	}
	cols := strings.Join(names, ", ")
	tx, err := s.db.Begin()
	if err != nil {
		return newError("backendError", "%v", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec("DELETE FROM "+dstTable+" WHERE "+dstWhere, into.lo, into.hi); err != nil {
		return sqliteError(err)
	}
	insert := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s", dstTable, cols, cols, srcTable, srcWhere)
	if _, err := tx.Exec(insert, args[2:]...); err != nil {
		return sqliteError(err)
	}
	if err := tx.Commit(); err != nil {
		return sqliteError(err)
	}
	return nil
}
