package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

// Loss is how the log no longer matches a checkpoint: records the
// checkpoint covered are missing or different.
type Loss struct {
	Checkpoint Checkpoint
	Records    int64 // records the log holds now
	LastSeq    int64 // its newest record's sequence number, 0 when empty
	Reason     string
}

func (x *Loss) Error() string {
	return fmt.Sprintf("the audit log does not match the checkpoint of record %d taken %s: %s",
		x.Checkpoint.Seq, x.Checkpoint.At.UTC().Format(time.RFC3339), x.Reason)
}

// Compare checks that the log still holds the checkpoint's head record
// with the same hash, and at least as many records; it returns nil when
// it does. Run Verify as well: Compare does not walk the chain.
func (l *Log) Compare(ctx context.Context, c Checkpoint) (*Loss, error) {
	return compare(ctx, l.pool, c, true)
}

// compare looks up the checkpoint's head record; countAll also counts the
// records, which appends skip (the head lookup is one index probe).
func compare(ctx context.Context, q querier, c Checkpoint, countAll bool) (*Loss, error) {
	var hash string
	err := q.QueryRow(ctx, `SELECT hash FROM dre_audit_log WHERE seq = $1`, c.Seq).Scan(&hash)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	if found && hash == c.Head && !countAll {
		return nil, nil
	}
	x := &Loss{Checkpoint: c}
	if err := q.QueryRow(ctx, `SELECT count(*), coalesce(max(seq), 0) FROM dre_audit_log`).Scan(&x.Records, &x.LastSeq); err != nil {
		return nil, err
	}
	x.Reason = lossReason(c, x.Records, x.LastSeq, found, hash)
	if x.Reason == "" {
		return nil, nil
	}
	return x, nil
}

// lossReason says in words what the log lost since c, or "" if nothing.
func lossReason(c Checkpoint, records, lastSeq int64, found bool, hash string) string {
	switch {
	case records == 0:
		return fmt.Sprintf("the log is empty, but the checkpoint covered %d records up to record %d (head %s): the table was emptied, or dropped and re-created; all %d records are lost",
			c.Records, c.Seq, c.Head, c.Records)
	case !found && lastSeq < c.Seq:
		return fmt.Sprintf("records %d to %d are missing: the log now ends at record %d, but the checkpoint's head is record %d (hash %s); the newest records were deleted",
			lastSeq+1, c.Seq, lastSeq, c.Seq, c.Head)
	case !found:
		return fmt.Sprintf("record %d, the checkpoint's head (hash %s), is missing (deleted)", c.Seq, c.Head)
	case hash != c.Head:
		return fmt.Sprintf("record %d's hash is now %s, but the checkpoint says %s: the log was rewritten, or dropped and re-created with other records",
			c.Seq, hash, c.Head)
	case records < c.Records:
		return fmt.Sprintf("the log holds %d records, fewer than the %d the checkpoint covered: records were deleted", records, c.Records)
	}
	return ""
}

// refuseLostCheckpoint fails an append when the log no longer holds the
// latest checkpoint's head: chaining new records onto a truncated or
// re-created log would bury the loss.
func refuseLostCheckpoint(ctx context.Context, tx pgx.Tx) error {
	sc, found, err := latestCheckpoint(ctx, tx)
	if err != nil || !found {
		return err
	}
	loss, err := compare(ctx, tx, sc.Checkpoint, false)
	if err != nil || loss == nil {
		return err
	}
	return fmt.Errorf("refusing to append: %w; restore dre_audit_log from a backup of the state database", loss)
}

// ErrEmptyLog is Checkpoint's answer for a log without records.
var ErrEmptyLog = errors.New("the audit log is empty: there is no head to checkpoint yet")

// Checkpoint returns the checkpoint of the log's head now, for signing.
// It refuses a broken or empty chain, and one that no longer holds the
// latest recorded checkpoint, so a signature never vouches for a loss.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	v, err := l.Verify(ctx)
	switch {
	case err != nil:
		return Checkpoint{}, fmt.Errorf("reading the audit log: %w", err)
	case v.Bad != nil:
		return Checkpoint{}, fmt.Errorf("the audit log is NOT intact, so no checkpoint: %w", v.Bad)
	case v.Records == 0:
		return Checkpoint{}, ErrEmptyLog
	}
	if err := l.holdsLatestCheckpoint(ctx); err != nil {
		return Checkpoint{}, err
	}
	// In an intact chain the head's sequence number is the record count.
	return Checkpoint{Seq: v.Records, Head: v.Head, Records: v.Records, At: l.now().UTC().Truncate(time.Microsecond)}, nil
}

// holdsLatestCheckpoint fails when the log lost records that the newest
// recorded checkpoint covers.
func (l *Log) holdsLatestCheckpoint(ctx context.Context) error {
	sc, found, err := l.LatestCheckpoint(ctx)
	if err != nil || !found {
		return err
	}
	loss, err := l.Compare(ctx, sc.Checkpoint)
	if err != nil {
		return err
	}
	if loss != nil {
		return fmt.Errorf("no new checkpoint over a loss: %w", loss)
	}
	return nil
}

// CheckCheckpoint checks sc's signature against the people directory,
// then compares the log with it: loss is nil when the log still holds
// everything sc covered. who says who signed it.
func (l *Log) CheckCheckpoint(ctx context.Context, sc SignedCheckpoint, dir *people.Directory) (who decision.Verified, loss *Loss, err error) {
	who, err = sc.VerifySignature(dir)
	if err != nil {
		return who, nil, err
	}
	loss, err = l.Compare(ctx, sc.Checkpoint)
	if err != nil {
		return who, nil, fmt.Errorf("comparing the audit log with the checkpoint: %w", err)
	}
	return who, loss, nil
}
