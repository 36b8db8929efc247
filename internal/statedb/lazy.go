// Package statedb opens dre's state database for the small stores that
// keep their tables there (schema snapshots, SLO observations, incident
// follow-ups): on first use, creating their tables, so a worker starts
// while the database is down.
package statedb

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Lazy is a connection pool opened on first use. It is safe for
// concurrent use; the zero value with DSN, Schema and Tables set is ready.
type Lazy struct {
	// DSN is the state database's; "" makes every use fail with NoDatabase.
	DSN string
	// Schema is the idempotent DDL (CREATE TABLE IF NOT EXISTS ...) run in
	// one transaction when the pool opens.
	Schema string
	// Tables names what Schema creates, for errors.
	Tables string
	// NoDatabase is the error without a DSN; it says what needs the
	// database and how to give it one.
	NoDatabase error

	mu     sync.Mutex
	pool   *pgxpool.Pool
	closed bool
}

// ErrClosed is returned by a pool that was closed.
var ErrClosed = errors.New("the state database store is closed")

// Pool connects and creates the tables on first use; a failure is tried
// again on the next call.
func (l *Lazy) Pool(ctx context.Context) (*pgxpool.Pool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.DSN == "":
		return nil, l.NoDatabase
	case l.closed:
		return nil, ErrClosed
	case l.pool != nil:
		return l.pool, nil
	}
	pool, err := pgxpool.New(ctx, l.DSN)
	if err != nil {
		return nil, fmt.Errorf("state database: %w", err)
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, l.Schema)
		return err
	}); err != nil {
		pool.Close()
		return nil, fmt.Errorf("state database: creating %s: %w", l.Tables, err)
	}
	l.pool = pool
	return pool, nil
}

// Close releases the connections; later uses fail with ErrClosed.
func (l *Lazy) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pool != nil {
		l.pool.Close()
		l.pool = nil
	}
	l.closed = true
}
