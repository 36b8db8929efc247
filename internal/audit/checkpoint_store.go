package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// checkpointSchema keeps the signed checkpoints next to the log, as
// append-only as the log itself. A copy outside the database (the file
// dre audit checkpoint writes) is what survives an attacker who drops
// both tables.
var checkpointSchema = `
CREATE TABLE IF NOT EXISTS dre_audit_checkpoints (
	id          bigserial PRIMARY KEY,
	seq         bigint NOT NULL,
	head        text NOT NULL,
	records     bigint NOT NULL,
	at          timestamptz NOT NULL,
	signer      text NOT NULL,
	fingerprint text NOT NULL,
	signature   text NOT NULL
);
` + appendOnly("dre_audit_checkpoints")

// ErrLogDropped is wrapped by Open when the log's table is gone although
// checkpoints of it exist: creating an empty log then would hide the loss.
var ErrLogDropped = errors.New("the audit log was dropped")

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// refuseRecreation fails when dre_audit_log does not exist but a
// checkpoint says it held records.
func refuseRecreation(ctx context.Context, q querier) error {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('dre_audit_log') IS NOT NULL`).Scan(&exists); err != nil || exists {
		return err
	}
	sc, found, err := latestCheckpoint(ctx, q)
	if err != nil || !found {
		return err
	}
	return fmt.Errorf("%w after checkpoint %d: table dre_audit_log is missing, but the checkpoint signed by %s (%s) at %s says it held %d records, head %s; "+
		"dre will not start an empty log over it. Restore dre_audit_log from a backup of the state database, or, if none can be, run dre audit reset --i-know --reason <why> to start a new log whose first record records the loss",
		ErrLogDropped, sc.Seq, sc.Signer, sc.Fingerprint, sc.At.UTC().Format("2006-01-02T15:04:05Z"), sc.Records, sc.Head)
}

// SaveCheckpoint records a signed checkpoint in the state database.
func (l *Log) SaveCheckpoint(ctx context.Context, sc SignedCheckpoint) error {
	_, err := l.pool.Exec(ctx, `INSERT INTO dre_audit_checkpoints (seq, head, records, at, signer, fingerprint, signature)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.Seq, sc.Head, sc.Records, sc.At, sc.Signer, sc.Fingerprint, sc.Signature)
	if err != nil {
		return fmt.Errorf("recording the checkpoint: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the newest checkpoint recorded in the state
// database; found is false when there is none, or none since a Reset.
func (l *Log) LatestCheckpoint(ctx context.Context) (sc SignedCheckpoint, found bool, err error) {
	return latestCheckpoint(ctx, l.pool)
}

func latestCheckpoint(ctx context.Context, q querier) (SignedCheckpoint, bool, error) {
	var sc SignedCheckpoint
	err := q.QueryRow(ctx, `SELECT seq, head, records, at, signer, fingerprint, signature
	FROM dre_audit_checkpoints ORDER BY id DESC LIMIT 1`).
		Scan(&sc.Seq, &sc.Head, &sc.Records, &sc.At, &sc.Signer, &sc.Fingerprint, &sc.Signature)
	if errors.Is(err, pgx.ErrNoRows) {
		return SignedCheckpoint{}, false, nil
	}
	if err != nil {
		return SignedCheckpoint{}, false, fmt.Errorf("reading the latest audit checkpoint: %w", err)
	}
	if sc.Signature == resetSignature {
		return SignedCheckpoint{}, false, nil // the checkpoints before a reset are of the dropped log
	}
	sc.At = sc.At.UTC()
	return sc, true, nil
}
