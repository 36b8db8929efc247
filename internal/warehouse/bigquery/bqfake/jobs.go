package bqfake

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	bq "google.golang.org/api/bigquery/v2"
)

// jobsInsert is jobs.insert: a query, a dry run or a copy. A job ID that
// was used before is refused with 409, which is how BigQuery makes
// client-chosen job IDs idempotent.
func (s *Server) jobsInsert(r *http.Request) (any, *apiError) {
	j, err := decodeJob(r)
	if err != nil {
		return nil, err
	}
	if err := s.check("bigquery.jobs.create", ""); err != nil {
		return nil, err
	}
	if j.Configuration == nil {
		return nil, errInvalid("Job configuration is required")
	}
	if j.Configuration.DryRun {
		return s.dryRun(j)
	}
	ref := s.jobRef(j.JobReference)
	if _, dup := s.jobs[ref.JobId]; dup {
		return nil, errExists("Already Exists: Job %s:%s.%s", s.Project, ref.Location, ref.JobId)
	}
	j.JobReference = ref
	var out *job
	switch {
	case j.Configuration.Query != nil:
		out = s.runQuery(r.Context(), j)
	case j.Configuration.Copy != nil:
		start := time.Now()
		out = s.finish(j, start, s.runCopy(j.Configuration.Copy))
	default:
		return nil, errInvalid("the BigQuery stand-in runs query and copy jobs only")
	}
	s.jobs[ref.JobId] = out
	return s.jobView(out, false), nil
}

// jobRef completes a client's job reference.
func (s *Server) jobRef(in *bq.JobReference) *bq.JobReference {
	ref := &bq.JobReference{ProjectId: s.Project, Location: s.Location}
	if in != nil && in.JobId != "" {
		ref.JobId = in.JobId
	} else {
		ref.JobId = s.nextID("job_")
	}
	return ref
}

// jobsGet is jobs.get.
func (s *Server) jobsGet(r *http.Request) (any, *apiError) {
	j, err := s.job(r.PathValue("job"))
	if err != nil {
		return nil, err
	}
	return s.jobView(j, true), nil
}

func (s *Server) job(id string) (*job, *apiError) {
	j, ok := s.jobs[id]
	if !ok {
		return nil, errNotFound("Not found: Job %s:%s.%s", s.Project, s.Location, id)
	}
	return j, nil
}

// jobView is the job as jobs.get shows it: still RUNNING while pending
// reads remain (one is used up when consume is set).
func (s *Server) jobView(j *job, consume bool) *bq.Job {
	v := *j.bq
	if j.pending > 0 {
		if consume {
			j.pending--
		}
		v.Status = &bq.JobStatus{State: "RUNNING"}
		v.Statistics = &bq.JobStatistics{CreationTime: j.bq.Statistics.CreationTime, StartTime: j.bq.Statistics.StartTime}
	}
	return &v
}

// jobsQuery is jobs.query, the client's fast path: run, and answer with the
// first page of rows, or with jobComplete=false when the job is pending.
func (s *Server) jobsQuery(r *http.Request) (any, *apiError) {
	req, err := decodeQuery(r)
	if err != nil {
		return nil, err
	}
	if err := s.check("bigquery.jobs.create", ""); err != nil {
		return nil, err
	}
	cfg := &bq.JobConfigurationQuery{Query: req.Query, QueryParameters: req.QueryParameters, UseLegacySql: req.UseLegacySql}
	j := &bq.Job{JobReference: s.jobRef(nil), Configuration: &bq.JobConfiguration{Query: cfg, Labels: req.Labels, DryRun: req.DryRun}}
	if req.DryRun {
		dry, err := s.dryRun(j)
		if err != nil {
			return nil, err
		}
		st := dry.Statistics.Query
		return &bq.QueryResponse{Kind: "bigquery#queryResponse", JobComplete: true, StatementType: st.StatementType, TotalBytesProcessed: st.TotalBytesProcessed}, nil
	}
	out := s.runQuery(r.Context(), j)
	s.jobs[j.JobReference.JobId] = out
	if out.failed != nil {
		return nil, out.failed
	}
	return s.queryResponse(out, req), nil
}

// queryResponse answers jobs.query: the first page of rows, or only the
// job's reference while it is pending.
func (s *Server) queryResponse(out *job, req *bq.QueryRequest) *bq.QueryResponse {
	j := out.bq
	resp := &bq.QueryResponse{Kind: "bigquery#queryResponse", JobReference: j.JobReference, Location: s.Location}
	if out.pending > 0 {
		out.pending--
		return resp
	}
	int64ts := req.FormatOptions != nil && req.FormatOptions.UseInt64Timestamp
	p := s.page(out, 0, req.MaxResults, req.MaxResults > 0, int64ts)
	resp.JobComplete, resp.Schema, resp.Rows, resp.TotalRows, resp.PageToken = true, p.schema, p.rows, p.total, p.token
	resp.NumDmlAffectedRows = j.Statistics.Query.NumDmlAffectedRows
	resp.TotalBytesProcessed = j.Statistics.TotalBytesProcessed
	return resp
}

// getQueryResults is jobs.getQueryResults: not complete while pending, the
// job's error if it failed, else a page of rows.
func (s *Server) getQueryResults(r *http.Request) (any, *apiError) {
	j, err := s.job(r.PathValue("job"))
	if err != nil {
		return nil, err
	}
	if j.bq.Configuration.Query == nil {
		return nil, errInvalid("Job %s is not a query job", j.bq.JobReference.JobId)
	}
	resp := &bq.GetQueryResultsResponse{Kind: "bigquery#getQueryResultsResponse", JobReference: j.bq.JobReference}
	if j.pending > 0 {
		j.pending--
		return resp, nil
	}
	if j.failed != nil {
		return nil, j.failed
	}
	q := r.URL.Query()
	start, max, limited := pageParams(q)
	p := s.page(j, start, max, limited, q.Get("formatOptions.useInt64Timestamp") == "true")
	resp.JobComplete, resp.Schema, resp.Rows, resp.TotalRows, resp.PageToken = true, p.schema, p.rows, p.total, p.token
	resp.NumDmlAffectedRows = j.bq.Statistics.Query.NumDmlAffectedRows
	resp.TotalBytesProcessed = j.bq.Statistics.TotalBytesProcessed
	return resp, nil
}

// pageParams reads startIndex or pageToken (an offset here) and
// maxResults; maxResults=0 asks for no rows, as the client does to wait.
func pageParams(q url.Values) (start, max int64, limited bool) {
	start, _ = strconv.ParseInt(q.Get("startIndex"), 10, 64)
	if tok := q.Get("pageToken"); tok != "" {
		start, _ = strconv.ParseInt(tok, 10, 64)
	}
	if v := q.Get("maxResults"); v != "" {
		max, _ = strconv.ParseInt(v, 10, 64)
		limited = true
	}
	return start, max, limited
}

// page is a page of a job's rows, on the wire.
type page struct {
	schema *bq.TableSchema
	rows   []*bq.TableRow
	total  uint64
	token  string
}

func (s *Server) page(j *job, start, max int64, limited bool, int64ts bool) page {
	if j.res == nil {
		return page{schema: &bq.TableSchema{}}
	}
	rows := j.res.rows
	end := int64(len(rows))
	start = min(start, end)
	if limited {
		end = min(end, start+max)
	}
	p := page{schema: j.res.schema, total: uint64(len(rows))}
	for _, row := range rows[start:end] {
		cells := make([]*bq.TableCell, len(row))
		for i, v := range row {
			cells[i] = &bq.TableCell{V: cell(v, j.res.schema.Fields[i].Type, int64ts)}
		}
		p.rows = append(p.rows, &bq.TableRow{F: cells})
	}
	if end < int64(len(rows)) {
		p.token = strconv.FormatInt(end, 10)
	}
	return p
}
