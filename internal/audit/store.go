package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockKey is the advisory lock that serializes appends and the creation
// of the table ("dreaudit" in ASCII).
const lockKey int64 = 0x6472656175646974

// schema creates the table and makes it append-only: UPDATE, DELETE and
// TRUNCATE raise an error. A superuser can still disable the trigger,
// which is why the records are chained as well.
var schema = `
CREATE TABLE IF NOT EXISTS dre_audit_log (
	seq         bigint PRIMARY KEY,
	at          timestamptz NOT NULL,
	actor       text NOT NULL,
	action      text NOT NULL,
	target      text NOT NULL,
	reason      text NOT NULL DEFAULT '',
	workflow_id text NOT NULL DEFAULT '',
	run_id      text NOT NULL DEFAULT '',
	idem_key    text NOT NULL DEFAULT '',
	details     jsonb NOT NULL DEFAULT '{}',
	prev_hash   text NOT NULL,
	hash        text NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS dre_audit_log_idem_key ON dre_audit_log (idem_key) WHERE idem_key <> '';
CREATE INDEX IF NOT EXISTS dre_audit_log_at ON dre_audit_log (at);
` + appendOnly("dre_audit_log")

// appendOnly makes table append-only: UPDATE, DELETE and TRUNCATE raise
// an error naming the table. The log and its checkpoints share the one
// trigger function.
func appendOnly(table string) string {
	return `
CREATE OR REPLACE FUNCTION dre_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END $$;
DROP TRIGGER IF EXISTS ` + table + `_no_change ON ` + table + `;
CREATE TRIGGER ` + table + `_no_change BEFORE UPDATE OR DELETE ON ` + table + `
	FOR EACH ROW EXECUTE FUNCTION dre_audit_append_only();
DROP TRIGGER IF EXISTS ` + table + `_no_truncate ON ` + table + `;
CREATE TRIGGER ` + table + `_no_truncate BEFORE TRUNCATE ON ` + table + `
	FOR EACH STATEMENT EXECUTE FUNCTION dre_audit_append_only();`
}

// migrate creates the schema under the append lock, so that two workers
// starting at once do not race on CREATE TABLE, and refuses to create
// the log's table anew once a checkpoint of it exists.
func (l *Log) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, checkpointSchema); err != nil {
			return err
		}
		if err := refuseRecreation(ctx, tx, l.dir); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
}

const selectRecords = `SELECT seq, at, actor, action, target, reason, workflow_id, run_id, idem_key, details, prev_hash, hash FROM dre_audit_log`

func insert(ctx context.Context, tx pgx.Tx, r Record) error {
	details, err := json.Marshal(r.Details)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO dre_audit_log
	(seq, at, actor, action, target, reason, workflow_id, run_id, idem_key, details, prev_hash, hash)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10::jsonb, '{}'), $11, $12)`,
		r.Seq, r.At, r.Actor, r.Action, r.Target, r.Reason, r.WorkflowID, r.RunID, r.Key, string(details), r.PrevHash, r.Hash)
	return err
}

func scanRecord(row pgx.CollectableRow) (Record, error) {
	var r Record
	var details []byte
	err := row.Scan(&r.Seq, &r.At, &r.Actor, &r.Action, &r.Target, &r.Reason, &r.WorkflowID, &r.RunID, &r.Key, &details, &r.PrevHash, &r.Hash)
	if err != nil {
		return r, err
	}
	r.At = r.At.UTC()
	return r, json.Unmarshal(details, &r.Details)
}

func scanOne(rows pgx.Rows, err error) (Record, error) {
	if err != nil {
		return Record{}, err
	}
	return pgx.CollectExactlyOneRow(rows, scanRecord)
}

// Each calls f with every record whose time is in [from, to), in chain
// order; a zero from or to leaves that end open.
func (l *Log) Each(ctx context.Context, from, to time.Time, f func(Record) error) error {
	rows, err := l.pool.Query(ctx, selectRecords+`
	WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2) ORDER BY seq`, nullTime(from), nullTime(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if err := f(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
