package bigquery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// RewritePartition replaces one partition of r.Table with the rows of
// r.Select, at most once per (run, partition): see the package doc for the
// job IDs and the ledger that make this so.
//
// A crash between the job and the ledger row lets a later attempt run the
// job again. That rewrite replaces the partition with the same SELECT's
// rows, so the partition ends the same as if it had run once.
func (w *Warehouse) RewritePartition(ctx context.Context, r warehouse.Rewrite) (warehouse.RewriteResult, error) {
	if err := validateRewrite(r); err != nil {
		return warehouse.RewriteResult{}, err
	}
	target, err := w.targetPartition(ctx, r.Table, r.Partition)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	key := ledgerKey{run: r.RunID, table: r.Table.String(), partition: target.decorator}
	if done, found, err := w.lookupRewrite(ctx, key); err != nil || found {
		return done, err
	}
	rows, err := w.rewrite(ctx, r, target)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	stats, err := w.partitionStats(ctx, r.Table, r.Partition, target.fieldType)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	if rows < 0 {
		rows = stats.Rows
	}
	res := warehouse.RewriteResult{Rows: rows, Checksum: stats.Checksum}
	return res, w.recordRewrite(ctx, key, res, r.SourceHash)
}

func validateRewrite(r warehouse.Rewrite) error {
	if err := r.Table.Validate(); err != nil {
		return err
	}
	if err := warehouse.ValidIdentifier(r.Partition.Column); err != nil {
		return err
	}
	if r.RunID == "" || strings.TrimSpace(r.Select) == "" {
		return fmt.Errorf("rewrite of %s: RunID and Select are required", r.Table)
	}
	if r.SelectRole != "" {
		// Running it with the job's full identity would silently break
		// the limit the select role promises.
		return fmt.Errorf("rewrite of %s: BigQuery cannot run a SELECT as role %s; remove backfill.select_role from the dataset", r.Table, r.SelectRole)
	}
	return nil
}

// rewrite runs the SELECT into the partition's decorator and returns the
// rows it wrote, -1 when BigQuery's statistics do not say.
func (w *Warehouse) rewrite(ctx context.Context, r warehouse.Rewrite, t partitionTarget) (int64, error) {
	q := w.client.Query(r.Select)
	q.Parameters = boundParams(t.fieldType, r.Partition)
	q.Dst = w.client.DatasetInProject(w.project, r.Table.Schema).Table(r.Table.Table + "$" + t.decorator)
	q.WriteDisposition = bigquery.WriteTruncate
	q.CreateDisposition = bigquery.CreateNever
	q.JobTimeout = timeoutOr(r.Timeout)
	q.Labels = jobLabels("rewrite")
	q.JobID = rewriteJobID(w.project, r, t.decorator)
	status, err := w.runJobStatus(ctx, q.JobID, func() (*bigquery.Job, error) { return q.Run(ctx) },
		tableOp(r.Table, "bigquery.tables.updateData"))
	if err != nil {
		return 0, err
	}
	return rowsWritten(status), nil
}

// rewriteJobID derives the job ID from the run, the partition and the
// attempt. The attempt is part of it so that a job that failed does not
// stand in the way of the next attempt: BigQuery would answer its ID with
// the old failure forever.
func rewriteJobID(project string, r warehouse.Rewrite, decorator string) string {
	return hashID("dre_", project, r.RunID, r.Table.String(), decorator, strconv.Itoa(r.Attempt))
}

// hashID makes a job ID from parts; NUL separators keep ("a","bc") and
// ("ab","c") apart.
func hashID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + hex.EncodeToString(sum[:20])
}

// rowsWritten reads the output stage of the query plan: its records
// written are the rows that went into the destination.
func rowsWritten(status *bigquery.JobStatus) int64 {
	if status.Statistics == nil {
		return -1
	}
	qs, ok := status.Statistics.Details.(*bigquery.QueryStatistics)
	if !ok || len(qs.QueryPlan) == 0 {
		return -1
	}
	return qs.QueryPlan[len(qs.QueryPlan)-1].RecordsWritten
}
