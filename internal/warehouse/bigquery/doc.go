// Package bigquery is dre's BigQuery warehouse adapter, built on
// cloud.google.com/go/bigquery. It implements warehouse.Warehouse; a
// TableRef's Schema is the BigQuery dataset, and every table lives in the
// project given to Open.
//
// Read-only queries: Query runs only what BigQuery itself calls a SELECT. It
// asks with a dry run (free, one extra round trip) instead of checking that
// the text starts with SELECT or WITH, because a prefix check is fooled by
// scripts ("SELECT 1; DELETE ..."), by comments and by EXECUTE IMMEDIATE,
// while the dry run reports the statement type BigQuery parsed.
//
// Exactly-once rewrites: RewritePartition writes one partition through its
// decorator (table$YYYYMMDD, $YYYYMMDDHH for hours, $YYYYMM for months) with
// WRITE_TRUNCATE, so a rewrite replaces the partition and never appends. The
// query job's ID is derived from the run, the partition and the attempt:
// BigQuery refuses a second job with the same ID (409), so a repeated call
// within one attempt finds and reuses the job already started. Across
// attempts, the ledger decides: a row in dre_meta.backfill_ledger, written
// after the job, makes later attempts return AlreadyApplied without writing.
//
// Write-audit-publish: RewriteAudited stages the SELECT's rows in a table
// of the target's dataset (_dre_wap_ and a hash of the run and the
// partition; it expires after a day if a crash leaves it), checks them
// with one query, and only if every check passes copies the staged
// partition over the target's (table$YYYYMMDD, WRITE_TRUNCATE) under a
// job ID derived from the run and the partition, so that a retry finds
// the copy it made instead of making another. Staging in the target's
// dataset keeps the unpublished rows under the target's access controls;
// copying columns with policy tags needs the Fine-Grained Reader role on
// those tags.
//
// The dre_meta dataset: dre keeps two tables in the dataset dre_meta of the
// warehouse's project, created on first use:
//   - backfill_ledger: one row per (run, table, partition) rewritten, with
//     the rows written and the partition's checksum, and one per partition
//     a run failed (status failed, with why in detail); the status, detail
//     and source_hash columns are added to an older ledger on first use;
//   - snapshot_meta: the metadata of each snapshot Snapshot takes (comment,
//     labels, policy tags, grants), because restoring a BigQuery snapshot
//     gives back rows and schema but not policy tags, labels or IAM.
//
// The dataset itself must exist; create it once, in the warehouse's location:
//
//	bq mk --dataset --location=US PROJECT:dre_meta
//
// Moves: BigQuery cannot move a table to another dataset, so Move copies it
// (a free copy job), puts its metadata back on the copy, then deletes the
// original. It does so within a dataset too, instead of ALTER TABLE RENAME,
// so that soft deletes into an archive dataset and renames share one path.
//
// PII tags are Data Catalog policy tags on columns; SetPIIPolicyTags says
// which tag stands for which PII kind.
//
// Every job dre starts carries the label dre-job; its bookkeeping jobs
// (statistics, ledger, probes, samples) also carry dre-internal, so that
// Usage counts the table's readers and not dre's own probes.
package bigquery
