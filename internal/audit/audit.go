// Package audit is dre's append-only, hash-chained audit log, kept in the
// state database (PostgreSQL). Every record carries the SHA-256 of its own
// canonical JSON, which includes the previous record's hash, so an edit,
// a deletion or a reordering anywhere breaks the chain from that record on;
// Verify names the first record where it breaks.
//
// What the chain cannot show on its own is a truncation of the newest
// records, or the whole table dropped and re-created: signed checkpoints
// of the head (Checkpoint, SignCheckpoint) kept in a file and in the
// dre_audit_checkpoints table show that too. Once a checkpoint exists,
// Open refuses to create an empty log in place of a dropped one (given
// the checkpoint directory, also when the checkpoints table was dropped
// with it), and Append refuses to chain onto a log that lost the
// checkpointed head.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Entry is what happened: who did what to what, why, and from which
// workflow run.
type Entry struct {
	Actor      string `json:"actor"`
	Action     string `json:"action"`
	Target     string `json:"target"`
	Reason     string `json:"reason,omitempty"`
	WorkflowID string `json:"workflowId,omitempty"`
	RunID      string `json:"runId,omitempty"`
	// Key makes an append idempotent: appending an entry whose key is
	// already logged returns the logged record instead of a second one,
	// so activity retries never log a decision twice. "" means no key.
	Key string `json:"key,omitempty"`
	// Details holds anything else worth keeping (grant, duration...).
	Details map[string]string `json:"details,omitempty"`
}

// Record is one logged entry with its place in the chain.
type Record struct {
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	Entry
	PrevHash string `json:"prevHash"`
	Hash     string `json:"hash"`
}

// canonical is the hashed form of a record. Its fields are in a fixed
// order and Details is a map, which encoding/json writes with sorted keys,
// so the same record always hashes to the same value.
type canonical struct {
	Seq        int64             `json:"seq"`
	At         string            `json:"at"`
	Actor      string            `json:"actor"`
	Action     string            `json:"action"`
	Target     string            `json:"target"`
	Reason     string            `json:"reason"`
	WorkflowID string            `json:"workflow_id"`
	RunID      string            `json:"run_id"`
	Key        string            `json:"key"`
	Details    map[string]string `json:"details"`
	PrevHash   string            `json:"prev_hash"`
}

// ComputeHash returns the hash the record must carry: hex SHA-256 of its
// canonical JSON, the previous hash included.
func (r Record) ComputeHash() string {
	details := r.Details
	if details == nil {
		details = map[string]string{} // nil and empty must hash alike: jsonb stores both as {}
	}
	c := canonical{
		Seq: r.Seq, At: r.At.UTC().Format(time.RFC3339Nano), Actor: r.Actor, Action: r.Action, Target: r.Target,
		Reason: r.Reason, WorkflowID: r.WorkflowID, RunID: r.RunID, Key: r.Key, Details: details, PrevHash: r.PrevHash,
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("audit: marshalling a canonical record: %v", err)) // only strings and maps of strings
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Log is the audit log in one PostgreSQL database.
type Log struct {
	pool *pgxpool.Pool
	now  func() time.Time
	dir  string // Options.CheckpointDir
}

// Options are what Open may know besides the database.
type Options struct {
	// CheckpointDir is the directory of checkpoint files
	// (audit.checkpoint_dir). When the log's table is missing and the
	// checkpoints table lost its checkpoints too, the newest file there
	// still makes Open refuse to start an empty log.
	CheckpointDir string
}

// Open connects to the state database and creates the log's table if it
// does not exist yet.
func Open(ctx context.Context, dsn string) (*Log, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opts Options) (*Log, error) {
	if dsn == "" {
		return nil, errors.New("no state database: set state.dsn in dre.yaml or DRE_STATE_DSN")
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connecting to the state database: %w", err)
	}
	l := &Log{pool: pool, now: time.Now, dir: opts.CheckpointDir}
	if err := l.migrate(ctx); err != nil {
		pool.Close()
		if errors.Is(err, ErrLogDropped) {
			return nil, err
		}
		return nil, fmt.Errorf("creating the audit log table in the state database: %w", err)
	}
	return l, nil
}

// Close releases the connections.
func (l *Log) Close() { l.pool.Close() }

// Append adds an entry at the end of the chain. Appends are serialized by
// an advisory lock, so concurrent writers (several workers) still build
// one chain.
func (l *Log) Append(ctx context.Context, e Entry) (Record, error) {
	if e.Actor == "" || e.Action == "" || e.Target == "" {
		return Record{}, errors.New("an audit entry needs an actor, an action and a target")
	}
	var out Record
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
			return err
		}
		if err := refuseLostCheckpoint(ctx, tx); err != nil {
			return err
		}
		if e.Key != "" {
			found, err := scanOne(tx.Query(ctx, selectRecords+` WHERE idem_key = $1`, e.Key))
			if err == nil || !errors.Is(err, pgx.ErrNoRows) {
				out = found
				return err
			}
		}
		r := Record{Entry: e, At: l.now().UTC().Truncate(time.Microsecond)} // PostgreSQL keeps microseconds
		err := tx.QueryRow(ctx, `SELECT seq, hash FROM dre_audit_log ORDER BY seq DESC LIMIT 1`).Scan(&r.Seq, &r.PrevHash)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		r.Seq++
		r.Hash = r.ComputeHash()
		out = r
		return insert(ctx, tx, r)
	})
	if err != nil {
		return Record{}, fmt.Errorf("appending to the audit log: %w", err)
	}
	return out, nil
}
