package bqfake

import (
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	bq "google.golang.org/api/bigquery/v2"
)

// table is a table's metadata; its rows are in SQLite.
type table struct {
	meta    *bq.Table
	version int64 // bumped by every change, for the etag
	policy  *bq.Policy
}

// openDB opens a private in-memory SQLite database. One connection only:
// each connection to ":memory:" would be a database of its own.
func openDB() (*sql.DB, error) {
	registerFunctions()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, db.Ping()
}

// etag is what tables.get reports and tables.patch's If-Match must equal.
func (t *table) etag() string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "table-%d", t.version))
}

// touch records a change of data or metadata.
func (t *table) touch() {
	t.version++
	t.meta.LastModifiedTime = uint64(time.Now().UnixMilli())
}

// createStorage creates the SQLite table for a schema. REQUIRED columns are
// NOT NULL, so inserting a NULL fails as it would in BigQuery.
func (s *Server) createStorage(key string, schema *bq.TableSchema) *apiError {
	var cols []string
	for _, f := range schema.Fields {
		col := quoteIdent(f.Name) + " " + sqliteTypes[f.Type]
		if f.Mode == "REQUIRED" {
			col += " NOT NULL"
		}
		cols = append(cols, col)
	}
	_, err := s.db.Exec(fmt.Sprintf("CREATE TABLE %s (%s)", quoteIdent(s.sqlName(key)), strings.Join(cols, ", ")))
	if err != nil {
		return newError("backendError", "creating %s: %v", key, err)
	}
	return nil
}

// newTable registers a table with a schema already checked by
// normalizeSchema, and creates its storage.
func (s *Server) newTable(dataset, name string, meta *bq.Table) (*table, *apiError) {
	key := tableKey(dataset, name)
	if err := s.createStorage(key, meta.Schema); err != nil {
		return nil, err
	}
	now := uint64(time.Now().UnixMilli())
	meta.TableReference = &bq.TableReference{ProjectId: s.Project, DatasetId: dataset, TableId: name}
	meta.Id = s.Project + ":" + key
	meta.Kind = "bigquery#table"
	meta.Location = s.Location
	meta.CreationTime = int64(now)
	meta.LastModifiedTime = now
	if meta.Type == "" {
		meta.Type = "TABLE"
	}
	t := &table{meta: meta, version: 1, policy: &bq.Policy{Version: 1}}
	s.tables[key] = t
	return t, nil
}

// dropTable deletes a table and its rows.
func (s *Server) dropTable(key string) *apiError {
	if _, err := s.db.Exec("DROP TABLE " + quoteIdent(s.sqlName(key))); err != nil {
		return newError("backendError", "dropping %s: %v", key, err)
	}
	delete(s.tables, key)
	return nil
}

// lookup returns a table, or BigQuery's not-found error.
func (s *Server) lookup(dataset, name string) (*table, *apiError) {
	if !s.datasets[dataset] {
		return nil, errNotFound("Not found: Dataset %s:%s", s.Project, dataset)
	}
	t, ok := s.tables[tableKey(dataset, name)]
	if !ok {
		return nil, errNotFound("Not found: Table %s:%s.%s", s.Project, dataset, name)
	}
	return t, nil
}

// size counts a table's rows and logical bytes, the way BigQuery sizes
// data: 8 bytes for numbers and times, 1 for a BOOL, 2 plus the UTF-8
// length for a STRING, the length of BYTES.
func (s *Server) size(key string, schema *bq.TableSchema) (rows, bytes int64, err error) {
	terms := []string{"0"}
	for _, f := range schema.Fields {
		c := quoteIdent(f.Name)
		size := "8"
		switch f.Type {
		case "STRING", "JSON":
			size = "2 + length(CAST(" + c + " AS BLOB))"
		case "BYTES":
			size = "length(" + c + ")"
		case "BOOLEAN":
			size = "1"
		}
		terms = append(terms, fmt.Sprintf("CASE WHEN %s IS NULL THEN 0 ELSE %s END", c, size))
	}
	q := fmt.Sprintf("SELECT COUNT(*), COALESCE(SUM(%s), 0) FROM %s", strings.Join(terms, " + "), quoteIdent(s.sqlName(key)))
	err = s.db.QueryRow(q).Scan(&rows, &bytes)
	return rows, bytes, err
}

// view returns a table's metadata as tables.get reports it, with its size
// and etag.
func (s *Server) view(t *table) (*bq.Table, *apiError) {
	key := tableKey(t.meta.TableReference.DatasetId, t.meta.TableReference.TableId)
	rows, bytes, err := s.size(key, t.meta.Schema)
	if err != nil {
		return nil, newError("backendError", "sizing %s: %v", key, err)
	}
	out := *t.meta
	out.NumRows = uint64(rows)
	out.NumBytes = bytes
	out.Etag = t.etag()
	out.SelfLink = fmt.Sprintf("%s/projects/%s/datasets/%s/tables/%s", s.http.URL, s.Project, out.TableReference.DatasetId, out.TableReference.TableId)
	return &out, nil
}
