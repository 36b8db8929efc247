package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ResetAction is the action of the record that starts a log anew.
const ResetAction = "audit.reset"

// resetSignature marks a row of dre_audit_checkpoints as a reset rather
// than a checkpoint: the checkpoints before it belong to the dropped log.
const resetSignature = "reset"

// Reset starts a new log in place of one that was dropped after a
// checkpoint, for when no backup can be restored. It refuses while
// dre_audit_log exists (rename it first to keep it as evidence) or when no
// checkpoint exists (then Open simply creates the log). The new log's
// first record says who reset it, why, and which checkpoint was lost.
//
// opts.CheckpointDir lets it find the lost checkpoint in a file when the
// checkpoints table was dropped too.
func Reset(ctx context.Context, dsn, actor, reason string, opts Options) (Record, error) {
	if actor == "" || reason == "" {
		return Record{}, errors.New("a reset needs an actor and a reason")
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return Record{}, fmt.Errorf("connecting to the state database: %w", err)
	}
	defer pool.Close()
	l := &Log{pool: pool, now: time.Now, dir: opts.CheckpointDir}
	var first Record
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		first, err = l.reset(ctx, tx, actor, reason)
		return err
	})
	if err != nil {
		return Record{}, fmt.Errorf("resetting the audit log: %w", err)
	}
	return first, nil
}

// reset does Reset's work in one transaction under the append lock.
func (l *Log) reset(ctx context.Context, tx pgx.Tx, actor, reason string) (Record, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
		return Record{}, err
	}
	if _, err := tx.Exec(ctx, checkpointSchema); err != nil {
		return Record{}, err
	}
	err := refuseRecreation(ctx, tx, l.dir)
	if err == nil {
		return Record{}, errors.New("nothing to reset: either dre_audit_log exists (rename it first, e.g. ALTER TABLE dre_audit_log RENAME TO dre_audit_log_lost, and its indexes, to keep it as evidence) or no checkpoint of it exists")
	}
	if !errors.Is(err, ErrLogDropped) {
		return Record{}, err
	}
	lost, _, _, err := lostCheckpoint(ctx, tx, l.dir)
	if err != nil {
		return Record{}, err
	}
	at := l.now().UTC().Truncate(time.Microsecond)
	if _, err := tx.Exec(ctx, `INSERT INTO dre_audit_checkpoints (seq, head, records, at, signer, fingerprint, signature)
	VALUES (0, '', 0, $1, $2, '', $3)`, at, actor, resetSignature); err != nil {
		return Record{}, err
	}
	if _, err := tx.Exec(ctx, schema); err != nil {
		return Record{}, err
	}
	r := Record{Seq: 1, At: at, Entry: Entry{Actor: actor, Action: ResetAction, Target: "dre_audit_log", Reason: reason,
		Details: map[string]string{"lost_after_checkpoint": strconv.FormatInt(lost.Seq, 10), "checkpoint_head": lost.Head,
			"checkpoint_records": strconv.FormatInt(lost.Records, 10), "checkpoint_signer": lost.Signer}}}
	r.Hash = r.ComputeHash()
	return r, insert(ctx, tx, r)
}
