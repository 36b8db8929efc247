package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// seenLockKey serializes the creation of the table when several gateways
// start at once ("dreseen" in ASCII).
const seenLockKey int64 = 0x64726573656e

// seenSchema is one row per remembered key. The expiry is the database's
// clock plus the key's time to live, so gateways with skewed clocks agree.
const seenSchema = `
CREATE TABLE IF NOT EXISTS dre_gateway_seen (
	key        text PRIMARY KEY,
	expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS dre_gateway_seen_expires_at ON dre_gateway_seen (expires_at);`

// firstUseSQL inserts the key, or takes over an expired row that no prune
// has removed yet; a live row makes the statement return nothing: seen.
const firstUseSQL = `
INSERT INTO dre_gateway_seen AS s (key, expires_at) VALUES ($1, now() + make_interval(secs => $2))
ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE s.expires_at <= now()
RETURNING true`

// pruneEvery is how often one gateway deletes expired rows.
const pruneEvery = time.Minute

// SeenStore is a SeenSet in dre's state database (table dre_gateway_seen,
// created on open): it survives restarts and is shared by all gateways
// that use the same database.
type SeenStore struct {
	pool      *pgxpool.Pool
	mu        sync.Mutex
	lastPrune time.Time
}

// OpenSeenStore connects to the state database at dsn and creates the
// table if needed. Close it when the gateway stops.
func OpenSeenStore(ctx context.Context, dsn string) (*SeenStore, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("gateway dedup set: state database: %w", err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, seenLockKey); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, seenSchema)
		return err
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("gateway dedup set: creating table dre_gateway_seen: %w", err)
	}
	return &SeenStore{pool: pool}, nil
}

// Close releases the connections.
func (s *SeenStore) Close() { s.pool.Close() }

// FirstUse records key for ttl and reports whether no live row had it.
func (s *SeenStore) FirstUse(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := s.pruneIfDue(ctx); err != nil {
		return false, err
	}
	var inserted bool
	err := s.pool.QueryRow(ctx, firstUseSQL, key, ttl.Seconds()).Scan(&inserted)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("gateway dedup set: %w", err)
	}
	return inserted, nil
}

// Forget deletes key.
func (s *SeenStore) Forget(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM dre_gateway_seen WHERE key = $1`, key)
	return err
}

// pruneIfDue deletes expired rows at most once a minute per gateway, so
// the table holds about one window of requests.
func (s *SeenStore) pruneIfDue(ctx context.Context) error {
	s.mu.Lock()
	due := time.Since(s.lastPrune) >= pruneEvery
	if due {
		s.lastPrune = time.Now()
	}
	s.mu.Unlock()
	if !due {
		return nil
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM dre_gateway_seen WHERE expires_at <= now()`); err != nil {
		return fmt.Errorf("gateway dedup set: pruning: %w", err)
	}
	return nil
}
