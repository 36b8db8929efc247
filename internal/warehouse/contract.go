package warehouse

import (
	"context"
	"time"
)

// Warehouse is everything dre's workflows need from a data warehouse. Each
// adapter (postgres/, bigquery/) implements all of it and is proven by the
// shared conformance suite in warehousetest/. Activities do not take a
// Warehouse: each declares the narrow slice of it that it uses.
//
// Rules every adapter follows:
//   - identifiers (schemas, tables, columns, principals) are validated with
//     ValidIdentifier before any SQL is built, then quoted;
//   - values travel only as parameters (@name in SQL text, both adapters);
//   - every call has a statement timeout; reads run in read-only transactions;
//   - DDL happens only in the lifecycle methods (Move, Snapshot, Drop, Restore);
//   - a missing table is *NotFoundError, a refused privilege *PermissionError.
type Warehouse interface {
	// Describe returns a table's columns, size, freshness, comment, labels,
	// PII tags and partitioning.
	Describe(ctx context.Context, ref TableRef) (TableInfo, error)
	// Query runs a read-only statement with parameters, a timeout and a row cap.
	Query(ctx context.Context, q Query) (QueryResult, error)
	// RewritePartition replaces one partition's rows with a SELECT's, at most
	// once per (run, partition) however often it is retried.
	RewritePartition(ctx context.Context, r Rewrite) (RewriteResult, error)
	// PartitionStats counts a partition's rows and checksums them in an
	// order-independent way, so a rewrite can be validated against its source.
	PartitionStats(ctx context.Context, ref TableRef, p Partition) (PartitionStats, error)
	// EstimateCost predicts what a query would cost, running nothing.
	EstimateCost(ctx context.Context, q Query) (Cost, error)

	// Grants lists every table- and column-level privilege on a table, for
	// every principal (not only those the connecting user belongs to).
	Grants(ctx context.Context, ref TableRef) ([]Grant, error)
	// Grant gives a privilege; granting what is already held is a no-op. It
	// verifies the grant is in effect before returning.
	Grant(ctx context.Context, g Grant) error
	// Revoke takes a privilege away; revoking what is not held is a no-op. It
	// verifies the privilege is gone before returning.
	Revoke(ctx context.Context, g Grant) error

	// SetComment sets a table's comment ("" removes it).
	SetComment(ctx context.Context, ref TableRef, comment string) error
	// SetLabels sets labels; a key mapped to "" is removed, others are kept.
	SetLabels(ctx context.Context, ref TableRef, labels map[string]string) error
	// TagPII tags a column with a PII kind (catalog.PIIKind); "" removes the tag.
	TagPII(ctx context.Context, ref TableRef, column, kind string) error

	// Move renames or moves a table (soft delete into an archive schema, and back).
	Move(ctx context.Context, from, to TableRef) error
	// Snapshot copies a table's rows to dst, recording its metadata with it.
	Snapshot(ctx context.Context, src, dst TableRef) error
	// Drop drops a table; dropping a missing table is a *NotFoundError.
	Drop(ctx context.Context, ref TableRef) error
	// Restore recreates dst from a snapshot with the metadata the table had:
	// grants, comment, labels and PII tags.
	Restore(ctx context.Context, snapshot, dst TableRef, meta TableMeta) error
	// Metadata returns what Restore needs to put back.
	Metadata(ctx context.Context, ref TableRef) (TableMeta, error)

	// Usage reports reads of a table since a time.
	Usage(ctx context.Context, ref TableRef, since time.Time) (Usage, error)
	// Sample returns up to limit values of each column, for PII detection.
	Sample(ctx context.Context, ref TableRef, columns []string, limit int) (Sample, error)

	// Ping checks the connection.
	Ping(ctx context.Context) error
	// Close releases the connection.
	Close()
}

// Column describes one column of a table.
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	Comment  string `json:"comment,omitempty"`
	// PII is the column's PII tag (a catalog.PIIKind), "" when untagged.
	PII string `json:"pii,omitempty"`
}

// Partitioning is how a table is partitioned, when the warehouse knows it.
type Partitioning struct {
	Column string `json:"column"`
	// Granularity is "hour", "day" or "month".
	Granularity string `json:"granularity"`
}

// TableInfo is what Describe returns.
type TableInfo struct {
	Ref     TableRef `json:"ref"`
	Columns []Column `json:"columns"`
	Rows    int64    `json:"rows"`
	Bytes   int64    `json:"bytes"`
	// LastModified is when the table's data last changed, as far as the
	// warehouse tracks it (zero when it does not).
	LastModified time.Time         `json:"lastModified,omitzero"`
	Comment      string            `json:"comment,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Partitioning *Partitioning     `json:"partitioning,omitempty"`
}

// Query is a statement with named parameters, written @name in SQL.
type Query struct {
	SQL    string         `json:"sql"`
	Params map[string]any `json:"params,omitempty"`
	// Timeout bounds the statement; 0 means DefaultTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// MaxRows caps the rows returned; 0 means DefaultMaxRows.
	MaxRows int `json:"maxRows,omitempty"`
	// PlanAs, when set, is the role an estimate or a trace plans the
	// statement as: planning runs IMMUTABLE functions of constants, which
	// must not run with dre's own privileges (PostgreSQL only).
	PlanAs string `json:"planAs,omitempty"`
}

// Defaults for Query.
const (
	DefaultTimeout = 60 * time.Second
	DefaultMaxRows = 1000
)

// QueryResult holds a query's rows, each value converted to a JSON-friendly
// Go type (int64, float64, string, bool, time.Time, nil).
type QueryResult struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	// Truncated is true when the query had more rows than MaxRows.
	Truncated bool `json:"truncated,omitempty"`
}

// Partition is the half-open range [Start, End) of a partition column.
type Partition struct {
	Column string    `json:"column"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
}

// Rewrite replaces one partition of Table with the rows of Select, which
// reads the bounds as @from and @to.
type Rewrite struct {
	Table     TableRef  `json:"table"`
	Partition Partition `json:"partition"`
	Select    string    `json:"select"`
	// RunID identifies the backfill run; with the partition it keys the
	// ledger that makes retries apply at most once.
	RunID string `json:"runId"`
	// Attempt is the activity attempt, used where the warehouse
	// deduplicates by job ID (BigQuery).
	Attempt int           `json:"attempt,omitempty"`
	Timeout time.Duration `json:"timeout,omitempty"`
	// Checksum asks for the written rows' checksum in the result. It costs
	// a hash of every row, as much as a fifth of a small partition's
	// rewrite, so it is asked for only when a validation compares it;
	// without it RewriteResult.Checksum may be empty.
	Checksum bool `json:"checksum,omitempty"`
	// SourceHash identifies the source definition in the ledger (see
	// SourceHash), so reprocess mode "missing" can skip partitions written
	// from the same definition.
	SourceHash string `json:"sourceHash,omitempty"`
	// SelectRole, when set, is the role the SELECT runs as, so it reads
	// only what that role may read; the write to Table still happens with
	// the warehouse user's own privileges (PostgreSQL only).
	SelectRole string `json:"selectRole,omitempty"`
}

// RewriteResult is what a rewrite wrote.
type RewriteResult struct {
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"`
	// AlreadyApplied is true when the ledger showed this run had already
	// rewritten the partition: nothing was written again.
	AlreadyApplied bool `json:"alreadyApplied,omitempty"`
	// Audit is what a write-audit-publish rewrite checked; when it did not
	// pass, nothing was published and the partition kept its rows.
	Audit *AuditResult `json:"audit,omitempty"`
}

// PartitionStats is a partition's row count and content checksum.
type PartitionStats struct {
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"`
}

// Cost is an estimate; which fields are set depends on the warehouse.
type Cost struct {
	// Rows and Units are the planner's estimates (PostgreSQL EXPLAIN).
	Rows  int64   `json:"rows,omitempty"`
	Units float64 `json:"units,omitempty"`
	// Bytes is the data a query would scan (BigQuery dry run).
	Bytes int64 `json:"bytes,omitempty"`
}

// Grant is one privilege of one principal on a table, or on one column of it.
type Grant struct {
	Table     TableRef `json:"table"`
	Principal string   `json:"principal"`
	// Privilege is SELECT, INSERT, UPDATE, DELETE... (PostgreSQL) or an IAM
	// role such as roles/bigquery.dataViewer (BigQuery).
	Privilege string `json:"privilege"`
	// Column is "" for a table-level grant.
	Column string `json:"column,omitempty"`
	// OnDataset marks a grant held on the table's dataset (a BigQuery
	// dataset access entry), which reaches every table in it.
	OnDataset bool `json:"onDataset,omitempty"`
	// PolicyTag is, for a BigQuery column grant, the Data Catalog policy
	// tag on the column that the role is held on: the grant reaches every
	// column the tag is on. "" elsewhere, and in grants asked for.
	PolicyTag string `json:"policyTag,omitempty"`
}

// TableMeta is a table's metadata that must survive a soft delete and a
// restore.
type TableMeta struct {
	Comment string            `json:"comment,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	// PII maps column names to their PII tags.
	PII    map[string]string `json:"pii,omitempty"`
	Grants []Grant           `json:"grants,omitempty"`
}

// Usage is what is known of a table's reads since a time.
type Usage struct {
	Reads int64 `json:"reads"`
	// LastRead is the latest read seen, nil when none was.
	LastRead *time.Time `json:"lastRead,omitempty"`
	// Readers are the principals seen reading, when the warehouse says.
	Readers []string `json:"readers,omitempty"`
	// Exact is false when reads are inferred from counters sampled over
	// time (PostgreSQL before 16) rather than logged per query.
	Exact bool `json:"exact"`
	// Unread says why some of the reads could not be read (a source
	// denied or unreachable), "" when every source was read. Reads is
	// then a lower bound, and the deprecation usage gate holds.
	Unread string `json:"unread,omitempty"`
}

// Sample holds up to N values per column, as text.
type Sample struct {
	Columns map[string][]string `json:"columns"`
	// Method says how the rows were chosen ("TABLESAMPLE BERNOULLI (2%)",
	// "all rows"), so that a report can say how far to trust the sample.
	Method string `json:"method,omitempty"`
	// TableRows is the table's row count as the warehouse estimates it.
	TableRows int64 `json:"tableRows,omitempty"`
}
