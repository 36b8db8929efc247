package bigquery

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// RewriteAudited replaces one partition by write-audit-publish, at most
// once per (run, table, partition):
//
//  1. write: the SELECT's rows go into a staging table in the target's
//     dataset, named after the run and the partition, through its own
//     partition decorator (so rows of another partition are refused, as
//     in RewritePartition); readers of the target see nothing of them;
//  2. audit: one query counts the partition's old rows and the staged
//     ones and runs every check against the staged rows (StagedRows);
//  3. publish, only if every check passed: a copy job replaces the
//     target's partition (table$YYYYMMDD, WRITE_TRUNCATE) with the staged
//     rows, then the ledger row is written and the staging table dropped.
//
// A partition that fails its audit is never copied: it keeps its rows,
// and the ledger records the failure with the findings and both row
// counts, as the PostgreSQL adapter does.
//
// The copy job's ID is derived from the run and the partition, not the
// attempt, and BigQuery runs a job ID once (a second insert is a 409): a
// retry after a crash at any point first looks that job up, and if it
// published, writes the ledger row without staging again. A crash before
// the copy leaves only the staging table, which the next attempt
// overwrites and which expires by itself if none comes. A copy job that
// failed keeps its ID forever, so the next publish uses the next ID in
// the sequence (see findPublish).
func (w *Warehouse) RewriteAudited(ctx context.Context, r warehouse.Rewrite, a warehouse.Audit) (warehouse.RewriteResult, error) {
	if err := validateRewrite(r); err != nil {
		return warehouse.RewriteResult{}, err
	}
	md, err := w.metadata(ctx, r.Table)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	target, err := partitionOf(md, r.Table, r.Partition)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	p := newPublication(w.project, r, target)
	if done, found, err := w.lookupRewrite(ctx, p.key); err != nil || found {
		return done, err
	}
	next, published, err := w.findPublish(ctx, p)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	if published {
		return w.finishPublished(ctx, p)
	}
	return w.writeAuditPublish(ctx, p, md, a, next)
}

// writeAuditPublish stages the rows, audits them, and publishes them with
// the n-th publish job ID or records why not; then drops the staging table.
func (w *Warehouse) writeAuditPublish(ctx context.Context, p publication, md *bigquery.TableMetadata, a warehouse.Audit, n int) (warehouse.RewriteResult, error) {
	r := p.r
	if err := w.stage(ctx, p, md); err != nil {
		return warehouse.RewriteResult{}, err
	}
	found, err := w.audit(ctx, p, a)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	res := warehouse.RewriteResult{Rows: found.audit.NewRows, Checksum: found.stats.Checksum, Audit: &found.audit}
	if !found.audit.Passed {
		row := ledgerRow{status: warehouse.LedgerFailed, rows: found.audit.NewRows, sourceHash: r.SourceHash, detail: found.audit.Summary()}
		if err := w.recordLedger(ctx, p.key, row); err != nil {
			return res, err
		}
		return res, w.dropStaging(ctx, p)
	}
	if err := w.publish(ctx, p, n); err != nil {
		return res, err
	}
	if err := w.recordRewrite(ctx, p.key, res, r.SourceHash); err != nil {
		return res, err
	}
	return res, w.dropStaging(ctx, p)
}

// publication is one partition's write-audit-publish: where its rows are
// staged, and the names of its jobs.
type publication struct {
	r       warehouse.Rewrite
	target  partitionTarget
	key     ledgerKey
	staging warehouse.TableRef
	project string
}

// newPublication names the staging table after the run and the partition.
func newPublication(project string, r warehouse.Rewrite, t partitionTarget) publication {
	key := ledgerKey{run: r.RunID, table: r.Table.String(), partition: t.decorator}
	stg := warehouse.TableRef{Schema: r.Table.Schema, Table: hashID("_dre_wap_", project, key.run, key.table, key.partition)}
	return publication{r: r, target: t, key: key, staging: stg, project: project}
}

// stagingTTL is how long a staging table outlives a crash that left it.
const stagingTTL = 24 * time.Hour

// stage creates the staging table with the target's columns and time
// partitioning (a table left by an earlier attempt is made afresh, in
// case the target changed since), then writes the SELECT's rows into it.
func (w *Warehouse) stage(ctx context.Context, p publication, target *bigquery.TableMetadata) error {
	md := &bigquery.TableMetadata{
		Schema:           target.Schema,
		TimePartitioning: &bigquery.TimePartitioning{Type: target.TimePartitioning.Type, Field: target.TimePartitioning.Field},
		ExpirationTime:   time.Now().Add(stagingTTL),
		Description:      fmt.Sprintf("dre write-audit-publish staging of %s$%s for backfill run %s; dropped after the publish", p.r.Table, p.target.decorator, p.r.RunID),
		Labels:           internalLabels("staging"),
	}
	t := w.table(p.staging)
	err := t.Create(ctx, md)
	if isDuplicate(err) {
		if err = t.Delete(ctx); err == nil || isMissing(err) {
			err = t.Create(ctx, md)
		}
	}
	if err != nil {
		return translate(err, tableOp(p.staging, "bigquery.tables.create"))
	}
	_, err = w.rewrite(ctx, stagingRewrite(p), p.target)
	return err
}

// stagingRewrite is the rewrite that fills the staging table's partition;
// its job ID differs from a direct rewrite's by the table.
func stagingRewrite(p publication) warehouse.Rewrite {
	r := p.r
	r.Table = p.staging
	return r
}

// publishTries bounds how many failed copy jobs one partition of one run
// can leave behind before dre stops trying new IDs.
const publishTries = 20

// publishJobID is the ID of the n-th copy job that publishes p.
func publishJobID(p publication, n int) string {
	return hashID("dre_publish_", p.project, p.key.run, p.key.table, p.key.partition, strconv.Itoa(n))
}

// findPublish walks p's copy job IDs in order: it returns true at the
// first that published (waiting for it if it is still running), or the
// first ID no job has taken yet, skipping jobs that failed.
func (w *Warehouse) findPublish(ctx context.Context, p publication) (int, bool, error) {
	for n := range publishTries {
		job, err := w.client.JobFromIDLocation(ctx, publishJobID(p, n), w.location)
		if isMissing(err) {
			return n, false, nil
		}
		if err != nil {
			return 0, false, translate(err, queryOp)
		}
		status, err := job.Wait(ctx)
		if err != nil {
			return 0, false, translate(err, queryOp)
		}
		if status.Err() == nil {
			return n, true, nil
		}
	}
	return 0, false, fmt.Errorf("%d copy jobs publishing %s$%s for run %s failed; see them in the BigQuery job history (IDs dre_publish_...)",
		publishTries, p.r.Table, p.target.decorator, p.r.RunID)
}

// publish copies the staged partition over the target's with the n-th
// publish job ID. A 409 means the job was started already (a retried
// insert): startJob waits for that one instead.
func (w *Warehouse) publish(ctx context.Context, p publication, n int) error {
	dec := "$" + p.target.decorator
	src := w.client.DatasetInProject(w.project, p.staging.Schema).Table(p.staging.Table + dec)
	dst := w.client.DatasetInProject(w.project, p.r.Table.Schema).Table(p.r.Table.Table + dec)
	c := dst.CopierFrom(src)
	c.WriteDisposition = bigquery.WriteTruncate
	c.CreateDisposition = bigquery.CreateNever
	c.Labels = jobLabels("publish")
	c.JobID = publishJobID(p, n)
	o := op{permission: fmt.Sprintf("bigquery.tables.getData on %s and bigquery.tables.updateData on %s", p.staging, p.r.Table)}
	return w.runJob(ctx, c.JobID, func() (*bigquery.Job, error) { return c.Run(ctx) }, o)
}

// finishPublished completes a publish a crash interrupted after its copy
// job: the ledger row, with the partition's rows as the copy left them.
func (w *Warehouse) finishPublished(ctx context.Context, p publication) (warehouse.RewriteResult, error) {
	stats, err := w.partitionStats(ctx, p.r.Table, p.r.Partition, p.target.fieldType)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	res := warehouse.RewriteResult{Rows: stats.Rows, Checksum: stats.Checksum, AlreadyApplied: true}
	if err := w.recordRewrite(ctx, p.key, res, p.r.SourceHash); err != nil {
		return res, err
	}
	return res, w.dropStaging(ctx, p)
}

// dropStaging deletes the staging table; one already gone is fine.
func (w *Warehouse) dropStaging(ctx context.Context, p publication) error {
	err := w.table(p.staging).Delete(ctx)
	if err == nil || isMissing(err) {
		return nil
	}
	return translate(err, tableOp(p.staging, "bigquery.tables.delete"))
}
