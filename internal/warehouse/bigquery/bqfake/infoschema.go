package bqfake

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	bq "google.golang.org/api/bigquery/v2"
)

// jobsColumns are the columns of INFORMATION_SCHEMA.JOBS the stand-in
// keeps. The repeated STRUCT columns (referenced_tables, labels) are JSON
// arrays of objects, which the translation of UNNEST reads; the STRUCT
// destination_table is one JSON object, whose fields the translation of
// j.destination_table.field reads.
var jobsColumns = []struct{ name, typ string }{
	{"job_id", "TEXT"}, {"project_id", "TEXT"}, {"user_email", "TEXT"}, {"job_type", "TEXT"},
	{"statement_type", "TEXT"}, {"state", "TEXT"}, {"creation_time", "BQ_TIMESTAMP"}, {"end_time", "BQ_TIMESTAMP"},
	{"total_bytes_processed", "INTEGER"}, {"error_result", "JSON"}, {"referenced_tables", "JSON"}, {"labels", "JSON"},
	{"destination_table", "JSON"},
}

// structColumns are the STRUCT (not repeated) columns of JOBS.
var structColumns = map[string]bool{"destination_table": true}

func (s *Server) createJobsView() error {
	cols := make([]string, len(jobsColumns))
	for i, c := range jobsColumns {
		cols[i] = quoteIdent(c.name) + " " + c.typ
	}
	_, err := s.db.Exec("CREATE TABLE " + quoteIdent(jobsView) + " (" + strings.Join(cols, ", ") + ")")
	return err
}

// logJob adds a finished query job to INFORMATION_SCHEMA.JOBS, created at
// start (to the microsecond, where the job's statistics have milliseconds).
func (s *Server) logJob(j *bq.Job, stmt statement, start time.Time) {
	stats := j.Statistics
	refs := make([]map[string]string, 0, len(stmt.reads))
	for _, key := range stmt.reads {
		refs = append(refs, s.tableStruct(key))
	}
	var errorResult any
	if e := j.Status.ErrorResult; e != nil {
		errorResult = jsonText(map[string]string{"reason": e.Reason, "message": e.Message})
	}
	// A query's results go to the anonymous dataset of its job unless it
	// was given a destination table; a DML statement's is its target.
	dest := s.tableStruct("_" + j.JobReference.JobId + ".anon" + j.JobReference.JobId)
	if d := j.Configuration.Query.DestinationTable; d != nil {
		dest = map[string]string{"project_id": d.ProjectId, "dataset_id": d.DatasetId, "table_id": d.TableId}
	} else if stmt.target != "" {
		dest = s.tableStruct(stmt.target)
	}
	_, _ = s.db.Exec("INSERT INTO "+quoteIdent(jobsView)+" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		j.JobReference.JobId, s.Project, j.UserEmail, "QUERY", stmt.kind, "DONE",
		start.UTC().Format(timestampLayout), millisText(stats.EndTime), stats.TotalBytesProcessed,
		errorResult, jsonText(refs), jsonText(labelList(j.Configuration.Labels)), jsonText(dest))
}

// tableStruct is a table as JOBS shows it, from "dataset.table" in this
// project or "project.dataset.table".
func (s *Server) tableStruct(key string) map[string]string {
	parts := strings.SplitN(key, ".", 3)
	if len(parts) == 2 {
		parts = append([]string{s.Project}, parts...)
	}
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return map[string]string{"project_id": parts[0], "dataset_id": parts[1], "table_id": parts[2]}
}

// PastJob is a query job the stand-in did not run, for LogJob: a
// pipeline's MERGE or CREATE TABLE AS SELECT, or a job that failed.
type PastJob struct {
	ID            string
	User          string
	StatementType string // as JOBS has it: MERGE, CREATE_TABLE_AS_SELECT...
	Created       time.Time
	// Reads and Destination are "dataset.table" in this project or
	// "project.dataset.table"; an empty Destination is none.
	Reads       []string
	Destination string
	Error       string // the error_result reason; empty for success
}

// LogJob adds a finished job to INFORMATION_SCHEMA.JOBS, as if some other
// tool had run it in this project.
func (s *Server) LogJob(p PastJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	refs := make([]map[string]string, 0, len(p.Reads))
	for _, key := range p.Reads {
		refs = append(refs, s.tableStruct(key))
	}
	var errorResult, dest any
	if p.Error != "" {
		errorResult = jsonText(map[string]string{"reason": p.Error, "message": p.Error})
	}
	if p.Destination != "" {
		dest = jsonText(s.tableStruct(p.Destination))
	}
	created := p.Created.UTC().Format(timestampLayout)
	_, _ = s.db.Exec("INSERT INTO "+quoteIdent(jobsView)+" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		p.ID, s.Project, p.User, "QUERY", p.StatementType, "DONE", created, created, 0,
		errorResult, jsonText(refs), "[]", dest)
}

// labelList is labels as INFORMATION_SCHEMA shows them: key/value structs.
func labelList(labels map[string]string) []map[string]string {
	out := make([]map[string]string, 0, len(labels))
	for k, v := range labels {
		out = append(out, map[string]string{"key": k, "value": v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["key"] < out[j]["key"] })
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func millisText(ms int64) string { return time.UnixMilli(ms).UTC().Format(timestampLayout) }

// columnsOf lists a table's columns in schema order, for TO_JSON_STRING.
func (s *Server) columnsOf(name string) []string {
	if name == jobsView {
		out := make([]string, len(jobsColumns))
		for i, c := range jobsColumns {
			out[i] = c.name
		}
		return out
	}
	t, ok := s.tables[strings.TrimPrefix(name, s.Project+".")]
	if !ok {
		return nil
	}
	out := make([]string, len(t.meta.Schema.Fields))
	for i, f := range t.meta.Schema.Fields {
		out[i] = f.Name
	}
	return out
}
