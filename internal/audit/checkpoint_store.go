package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

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
// checkpoint, in the table or in the checkpoint directory dir, says it
// held records.
func refuseRecreation(ctx context.Context, q querier, dir string) error {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('dre_audit_log') IS NOT NULL`).Scan(&exists); err != nil || exists {
		return err
	}
	sc, from, found, err := lostCheckpoint(ctx, q, dir)
	if err != nil || !found {
		return err
	}
	return fmt.Errorf("%w after checkpoint %d: table dre_audit_log is missing, but the checkpoint signed by %s (%s) at %s (in %s) says it held %d records, head %s; "+
		"dre will not start an empty log over it. Restore dre_audit_log (and dre_audit_checkpoints, if it is gone too) from a backup of the state database, or, if none can be, run dre audit reset --i-know --reason <why> to start a new log whose first record records the loss",
		ErrLogDropped, sc.Seq, sc.Signer, sc.Fingerprint, sc.At.UTC().Format("2006-01-02T15:04:05Z"), from, sc.Records, sc.Head)
}

// lostCheckpoint is the newest checkpoint of the current log: the
// table's, else, when the table lost them too, the newest file in dir
// taken after the last reset. from says where it was found.
func lostCheckpoint(ctx context.Context, q querier, dir string) (sc SignedCheckpoint, from string, found bool, err error) {
	sc, found, err = latestCheckpoint(ctx, q)
	if err != nil || found || dir == "" {
		return sc, "dre_audit_checkpoints", found, err
	}
	sc, from, found, err = currentCheckpointFile(ctx, q, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return SignedCheckpoint{}, "", false, nil // the directory is not created before the first checkpoint
	}
	return sc, from, found, err
}

// currentCheckpointFile is the newest checkpoint file in dir, unless it
// was taken before the log's last reset (then it is of the dropped log).
func currentCheckpointFile(ctx context.Context, q querier, dir string) (SignedCheckpoint, string, bool, error) {
	sc, path, found, err := NewestCheckpointFile(dir)
	if err != nil || !found {
		return SignedCheckpoint{}, path, false, err
	}
	var reset *time.Time
	if err := q.QueryRow(ctx, `SELECT max(at) FROM dre_audit_checkpoints WHERE signature = $1`, resetSignature).Scan(&reset); err != nil {
		return SignedCheckpoint{}, path, false, fmt.Errorf("reading the audit log's last reset: %w", err)
	}
	if reset != nil && sc.At.Before(*reset) {
		return SignedCheckpoint{}, path, false, nil
	}
	return sc, path, true, nil
}

// CheckpointFile is the newest checkpoint file in dir that applies to the
// log: files taken before a dre audit reset are of the dropped log.
// found is false when there is none; a missing dir is an error.
func (l *Log) CheckpointFile(ctx context.Context, dir string) (sc SignedCheckpoint, path string, found bool, err error) {
	return currentCheckpointFile(ctx, l.pool, dir)
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
