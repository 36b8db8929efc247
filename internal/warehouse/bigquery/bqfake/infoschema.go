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
// arrays of objects, which the translation of UNNEST reads.
var jobsColumns = []struct{ name, typ string }{
	{"job_id", "TEXT"}, {"project_id", "TEXT"}, {"user_email", "TEXT"}, {"job_type", "TEXT"},
	{"statement_type", "TEXT"}, {"state", "TEXT"}, {"creation_time", "BQ_TIMESTAMP"}, {"end_time", "BQ_TIMESTAMP"},
	{"total_bytes_processed", "INTEGER"}, {"error_result", "JSON"}, {"referenced_tables", "JSON"}, {"labels", "JSON"},
}

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
		dataset, table, _ := strings.Cut(key, ".")
		refs = append(refs, map[string]string{"project_id": s.Project, "dataset_id": dataset, "table_id": table})
	}
	var errorResult any
	if e := j.Status.ErrorResult; e != nil {
		errorResult = jsonText(map[string]string{"reason": e.Reason, "message": e.Message})
	}
	_, _ = s.db.Exec("INSERT INTO "+quoteIdent(jobsView)+" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		j.JobReference.JobId, s.Project, j.UserEmail, "QUERY", stmt.kind, "DONE",
		start.UTC().Format(timestampLayout), millisText(stats.EndTime), stats.TotalBytesProcessed,
		errorResult, jsonText(refs), jsonText(labelList(j.Configuration.Labels)))
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
