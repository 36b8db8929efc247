package bqfake

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"

	bq "google.golang.org/api/bigquery/v2"
)

// tablesGet is tables.get.
func (s *Server) tablesGet(r *http.Request) (any, *apiError) {
	dataset, name := r.PathValue("dataset"), r.PathValue("table")
	t, err := s.lookup(dataset, name)
	if err != nil {
		return nil, err
	}
	if err := s.check("bigquery.tables.get", tableKey(dataset, name)); err != nil {
		return nil, err
	}
	return s.view(t)
}

// tablesInsert is tables.insert: a new, empty table with a schema.
func (s *Server) tablesInsert(r *http.Request) (any, *apiError) {
	dataset := r.PathValue("dataset")
	var meta bq.Table
	if err := decode(r, &meta); err != nil {
		return nil, err
	}
	if meta.TableReference == nil || meta.TableReference.TableId == "" {
		return nil, errInvalid("Table reference is required")
	}
	name := meta.TableReference.TableId
	if !s.datasets[dataset] {
		return nil, errNotFound("Not found: Dataset %s:%s", s.Project, dataset)
	}
	if _, exists := s.tables[tableKey(dataset, name)]; exists {
		return nil, errExists("Already Exists: Table %s:%s.%s", s.Project, dataset, name)
	}
	if err := s.check("bigquery.tables.create", tableKey(dataset, name)); err != nil {
		return nil, err
	}
	if err := validateTable(&meta); err != nil {
		return nil, err
	}
	t, err := s.newTable(dataset, name, &meta)
	if err != nil {
		return nil, err
	}
	return s.view(t)
}

// tableNamePattern is BigQuery's rule for table IDs (Unicode letters,
// marks, digits, connectors, dashes, spaces); the length is checked apart,
// regexp repeat counts stopping at 1000.
var tableNamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}]+$`)

// validateTable checks a new table's name, schema and partitioning.
func validateTable(meta *bq.Table) *apiError {
	if id := meta.TableReference.TableId; !tableNamePattern.MatchString(id) || len(id) > 1024 {
		return errInvalid("Invalid table ID %q", meta.TableReference.TableId)
	}
	if err := normalizeSchema(meta.Schema); err != nil {
		return err
	}
	tp := meta.TimePartitioning
	if tp == nil {
		return nil
	}
	if tp.Type == "" {
		tp.Type = "DAY"
	}
	if _, ok := partitionLayouts[tp.Type]; !ok {
		return errInvalid("Invalid time partitioning type %s", tp.Type)
	}
	for _, f := range meta.Schema.Fields {
		if f.Name == tp.Field && (f.Type == "TIMESTAMP" || f.Type == "DATE" || f.Type == "DATETIME") {
			return nil
		}
	}
	return errInvalid("The field specified for time partitioning can only be of type TIMESTAMP, DATE or DATETIME, and must exist: %q", tp.Field)
}

// tablesDelete is tables.delete.
func (s *Server) tablesDelete(r *http.Request) (any, *apiError) {
	dataset, name := r.PathValue("dataset"), r.PathValue("table")
	if _, err := s.lookup(dataset, name); err != nil {
		return nil, err
	}
	if err := s.check("bigquery.tables.delete", tableKey(dataset, name)); err != nil {
		return nil, err
	}
	return nil, s.dropTable(tableKey(dataset, name))
}

// tablesPatch is tables.patch: only the fields sent change, a label sent
// as null is deleted, and an If-Match that is not the current etag fails
// with 412, so a read-modify-write never overwrites another's change.
func (s *Server) tablesPatch(r *http.Request) (any, *apiError) {
	dataset, name := r.PathValue("dataset"), r.PathValue("table")
	key := tableKey(dataset, name)
	t, err := s.lookup(dataset, name)
	if err != nil {
		return nil, err
	}
	if err := s.check("bigquery.tables.update", key); err != nil {
		return nil, err
	}
	if m := r.Header.Get("If-Match"); m != "" && m != t.etag() {
		return nil, newError("conditionNotMet", "Precondition check failed.")
	}
	var body map[string]json.RawMessage
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	next := *t.meta // patched as a whole or not at all
	next.Labels = maps.Clone(t.meta.Labels)
	for field, raw := range body {
		if err := s.patchField(&next, key, field, raw); err != nil {
			return nil, err
		}
	}
	if err := s.addColumns(key, t.meta.Schema, next.Schema); err != nil {
		return nil, err
	}
	t.meta = &next
	t.touch()
	return s.view(t)
}
