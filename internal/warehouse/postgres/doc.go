// Package postgres is dre's PostgreSQL warehouse adapter, built on pgx. It
// implements warehouse.Warehouse and passes the conformance suite in
// warehousetest; it also keeps the older ProbeTable the check workflow
// uses.
//
// # Statements
//
// SQL text names values as @name; a small scanner (bindParams) rewrites
// them to $1, $2... and skips string literals, quoted identifiers, dollar
// quotes, comments and :: casts. Identifiers are validated with
// warehouse.ValidIdentifier, then quoted. Every call runs in a transaction
// that begins with SET LOCAL statement_timeout, in the same round trip;
// reads run in READ ONLY transactions. Query wraps the statement in
// SELECT * FROM (...) LIMIT MaxRows+1, so only a query can run and the
// server stops after one row past the cap. A statement killed by its
// timeout returns an error that is context.DeadlineExceeded for errors.Is.
//
// # dre_meta
//
// PostgreSQL has no place for a few things dre needs, so dre keeps four
// tables in the schema dre_meta of the warehouse database, created on first
// use (the user needs CREATE on the database, or an administrator creates
// the schema for it):
//
//   - backfill_ledger (run_id, table_name, partition_start, partition_end,
//     rows, checksum, applied_at, source_hash, status, detail), primary
//     key (run_id, table_name, partition_start): one row per partition a
//     backfill run rewrote (status written), written in the rewrite's own
//     transaction, or failed for good (status failed, detail saying why).
//     It is what makes RewritePartition apply at most once per run and
//     partition: a retry finds the written row and returns the recorded
//     rows and checksum. source_hash and the failed rows serve the
//     reprocess modes (LedgerEntries); tables from before them get the
//     three columns on first use.
//   - table_labels (schema_name, table_name, key, value): table labels.
//     PostgreSQL has no labels, and keeping them out of the table comment
//     leaves that for people.
//   - snapshots (schema_name, table_name, source_schema, source_table,
//     taken_at, meta jsonb): the metadata of the table each snapshot was
//     taken from, which Restore puts back when given no metadata.
//   - usage_observations (schema_name, table_name, observed_at, scans):
//     samples of the scan counters Usage infers reads from, the primary's
//     plus those of the replicas given to SetReplicas.
//
// Rows are keyed by table name, and Move and Drop update them in the
// transaction that renames or drops the table.
//
// # PII tags
//
// A column's PII tag is the first line of its comment, "pii:<kind>"
// (pii:email); a human comment may follow on the next lines. The same form
// is readable by anyone with psql, and travels with the column through
// pg_dump and CREATE TABLE ... LIKE ... INCLUDING COMMENTS.
//
// # Checksums
//
// A partition's checksum is the sum, modulo 2^64, of hashtextextended of
// each row's text form, printed as 16 hex digits: independent of row
// order, sensitive to any changed value. RewritePartition computes it over
// the rows as it inserts them (INSERT ... RETURNING) when the rewrite asks
// for it (Rewrite.Checksum; the ledger records "" otherwise), PartitionStats
// over the stored rows; both agree because Open pins the settings that
// shape a row's text form (TimeZone, DateStyle, extra_float_digits).
//
// # Grants
//
// Grants reads the ACLs (pg_class.relacl, pg_attribute.attacl) through
// aclexplode, so it lists every role's privileges, the owner's included,
// whether or not dre's user is a member of the role. Grant and Revoke
// check the ACL before they commit.
package postgres
