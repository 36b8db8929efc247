package bigquery

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"

	"github.com/dre-dev/dre/internal/warehouse"
)

// read runs one of dre's own fixed SELECTs and returns all its rows. These
// statements are built here, so they skip Query's dry run, and they take
// BigQuery's fast path (jobs.query): no JobTimeout, which would force a
// full job; the context's deadline bounds them instead.
func (w *Warehouse) read(ctx context.Context, purpose, sql string, params []bigquery.QueryParameter, o op) ([][]bigquery.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, warehouse.DefaultTimeout)
	defer cancel()
	q := w.client.Query(sql)
	q.Parameters = params
	q.Labels = internalLabels(purpose)
	it, err := q.Read(ctx)
	if err != nil {
		return nil, translate(err, o)
	}
	var rows [][]bigquery.Value
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			return rows, nil
		}
		if err != nil {
			return nil, translate(err, o)
		}
		rows = append(rows, row)
	}
}

// exec runs a statement that writes (dre's ledger inserts) as a job with
// the given ID. A job that already exists under that ID (409) is the same
// statement sent before, by a retry: it is waited for instead.
func (w *Warehouse) exec(ctx context.Context, jobID, purpose, sql string, params []bigquery.QueryParameter, o op) error {
	q := w.client.Query(sql)
	q.Parameters = params
	q.Labels = internalLabels(purpose)
	q.JobID = jobID
	q.JobTimeout = warehouse.DefaultTimeout
	return w.runJob(ctx, jobID, func() (*bigquery.Job, error) { return q.Run(ctx) }, o)
}

// startJob starts a job with the given ID; a 409 means a job with that ID
// exists already (a retried insert whose first answer was lost, or a
// retried call), and that job is returned.
func (w *Warehouse) startJob(ctx context.Context, jobID string, start func() (*bigquery.Job, error)) (*bigquery.Job, error) {
	job, err := start()
	if err != nil && jobID != "" && isDuplicate(err) {
		return w.client.JobFromIDLocation(ctx, jobID, w.location)
	}
	return job, err
}

// newJobID returns a fresh job ID. Setting it ourselves, rather than
// letting the client choose, lets startJob recognise its own job on 409.
func newJobID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// runJob starts a job and waits for it. On 409 it adopts the job that
// already has the ID, which BigQuery keeps for months.
func (w *Warehouse) runJob(ctx context.Context, jobID string, start func() (*bigquery.Job, error), o op) error {
	_, err := w.runJobStatus(ctx, jobID, start, o)
	return err
}

// runJobStatus is runJob returning the finished job's status.
func (w *Warehouse) runJobStatus(ctx context.Context, jobID string, start func() (*bigquery.Job, error), o op) (*bigquery.JobStatus, error) {
	job, err := w.startJob(ctx, jobID, start)
	if err != nil {
		return nil, translate(err, o)
	}
	status, err := job.Wait(ctx)
	if err != nil {
		return nil, translate(err, o)
	}
	if err := status.Err(); err != nil {
		return nil, translate(err, o)
	}
	return status, nil
}
