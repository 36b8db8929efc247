package bqfake

import (
	"context"
	"slices"
	"strings"
	"time"

	bq "google.golang.org/api/bigquery/v2"
)

// job is a job the stand-in ran. Jobs run to completion when inserted;
// pending only makes them look unfinished to the next status reads.
type job struct {
	bq      *bq.Job
	res     *result // rows of a SELECT without a destination
	pending int     // status reads that still answer "not complete"
	failed  *apiError
}

// outcome is what a query job did.
type outcome struct {
	res     *result
	written int64 // rows written to a destination, or returned
	dml     int64 // rows an INSERT affected
}

// runQuery runs a query job and logs it in INFORMATION_SCHEMA.JOBS. The
// job stops at its jobTimeoutMs, failing with reason "timeout", or when
// the client goes away (ctx).
func (s *Server) runQuery(ctx context.Context, j *bq.Job) *job {
	start := time.Now()
	cfg := j.Configuration.Query
	if ms := j.Configuration.JobTimeoutMs; ms > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
		defer cancel()
	}
	stmt, err := s.translate(cfg.Query)
	var out outcome
	if err == nil {
		err = s.checkStatement(stmt, cfg.QueryParameters)
	}
	if err == nil {
		out, err = s.execute(ctx, stmt, cfg)
	}
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		err = newError("timeout", "Job execution was cancelled: Job timed out after %.1f sec", time.Since(start).Seconds())
	}
	done := s.finish(j, start, err)
	done.res = out.res
	j.Statistics.Query = s.queryStats(stmt, out)
	j.Statistics.TotalBytesProcessed = j.Statistics.Query.TotalBytesProcessed
	if stmt.kind != "" {
		s.logJob(j, stmt, start)
	}
	s.queries++
	if s.every > 0 && s.queries%s.every == 0 {
		done.pending = 1
	}
	return done
}

// checkStatement checks what BigQuery checks before running anything: the
// tables read exist and may be read, and every @parameter has a value.
func (s *Server) checkStatement(stmt statement, params []*bq.QueryParameter) *apiError {
	for _, name := range stmt.params {
		if !slices.ContainsFunc(params, func(p *bq.QueryParameter) bool { return strings.EqualFold(p.Name, name) }) {
			return errQuery("Query parameter '%s' not found", name)
		}
	}
	return s.checkReads(stmt)
}

// execute runs a SELECT (into its destination, if any) or an INSERT.
func (s *Server) execute(ctx context.Context, stmt statement, cfg *bq.JobConfigurationQuery) (outcome, *apiError) {
	if cfg.UseLegacySql != nil && *cfg.UseLegacySql {
		return outcome{}, errQuery("the BigQuery stand-in speaks GoogleSQL only, not legacy SQL")
	}
	args, err := bind(cfg.QueryParameters)
	if err != nil {
		return outcome{}, err
	}
	switch stmt.kind {
	case "SELECT":
		res, err := s.selectRows(ctx, stmt, args)
		if err != nil || cfg.DestinationTable == nil {
			return outcome{res: res, written: int64(len(resRows(res)))}, err
		}
		n, err := s.writeDestination(ctx, cfg, res)
		return outcome{written: n}, err
	case "INSERT":
		n, err := s.insert(ctx, stmt, args)
		return outcome{dml: n}, err
	}
	return outcome{}, errQuery("the BigQuery stand-in runs SELECT and INSERT statements, not %s", stmt.kind)
}

func resRows(r *result) [][]any {
	if r == nil {
		return nil
	}
	return r.rows
}

// finish marks a job done, failed or not, with its timing.
func (s *Server) finish(j *bq.Job, start time.Time, err *apiError) *job {
	j.Status = &bq.JobStatus{State: "DONE"}
	out := &job{bq: j, failed: err}
	if err != nil {
		j.Status.ErrorResult = err.proto()
		j.Status.Errors = []*bq.ErrorProto{err.proto()}
	}
	j.Kind = "bigquery#job"
	j.Id = s.Project + ":" + s.Location + "." + j.JobReference.JobId
	j.UserEmail = s.user
	j.Statistics = &bq.JobStatistics{CreationTime: start.UnixMilli(), StartTime: start.UnixMilli(), EndTime: time.Now().UnixMilli()}
	return out
}

// queryStats are a query job's statistics: the plan has one stage, whose
// records written are the rows the query produced or wrote.
func (s *Server) queryStats(stmt statement, out outcome) *bq.JobStatistics2 {
	bytes := s.bytesRead(stmt)
	st := &bq.JobStatistics2{
		StatementType: stmt.kind, TotalBytesProcessed: bytes, TotalBytesBilled: bytes,
		NumDmlAffectedRows: out.dml,
		QueryPlan:          []*bq.ExplainQueryStage{{Id: 0, Name: "S00: Output", Status: "COMPLETE", RecordsWritten: out.written}},
	}
	for _, key := range stmt.reads {
		dataset, table, _ := strings.Cut(key, ".")
		st.ReferencedTables = append(st.ReferencedTables, &bq.TableReference{ProjectId: s.Project, DatasetId: dataset, TableId: table})
	}
	if out.res != nil {
		st.Schema = out.res.schema
	}
	return st
}

// bytesRead is what a dry run reports: the logical bytes of the tables the
// statement reads, all columns (BigQuery counts only the columns used).
func (s *Server) bytesRead(stmt statement) int64 {
	var total int64
	for _, key := range stmt.reads {
		if t, ok := s.tables[key]; ok {
			if _, n, err := s.size(key, t.meta.Schema); err == nil {
				total += n
			}
		}
	}
	return total
}

// dryRun validates a query and reports its type and bytes, running
// nothing and keeping no job.
func (s *Server) dryRun(j *bq.Job) (*bq.Job, *apiError) {
	cfg := j.Configuration.Query
	if cfg == nil {
		return nil, errInvalid("the BigQuery stand-in dry-runs queries only")
	}
	stmt, err := s.translate(cfg.Query)
	if err == nil {
		err = s.checkStatement(stmt, cfg.QueryParameters)
	}
	if err == nil && (stmt.kind == "SELECT" || stmt.kind == "INSERT") {
		err = s.prepare(stmt)
	}
	if err != nil {
		return nil, err
	}
	bytes := s.bytesRead(stmt)
	return &bq.Job{
		Kind:          "bigquery#job",
		JobReference:  &bq.JobReference{ProjectId: s.Project, Location: s.Location},
		Configuration: j.Configuration,
		Status:        &bq.JobStatus{State: "DONE"},
		Statistics: &bq.JobStatistics{TotalBytesProcessed: bytes, Query: &bq.JobStatistics2{
			StatementType: stmt.kind, TotalBytesProcessed: bytes, TotalBytesProcessedAccuracy: "UPPER_BOUND",
		}},
	}, nil
}

// prepare has SQLite parse a statement, to report syntax errors.
func (s *Server) prepare(stmt statement) *apiError {
	p, err := s.db.Prepare(stmt.sql)
	if err != nil {
		return sqliteError(err)
	}
	_ = p.Close()
	return nil
}
