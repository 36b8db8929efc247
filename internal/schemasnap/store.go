// Package schemasnap keeps the last known shape (columns, types,
// nullability) of the tables dre diagnoses, in dre's state database
// (PostgreSQL) table schema_snapshots, which it creates on first use. The
// triage's schema check compares a table with its snapshot to report
// added, dropped, retyped and nullability-changed columns.
package schemasnap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/internal/statedb"
	"github.com/dre-dev/dre/internal/warehouse"
)

// schema is created under an advisory lock because concurrent CREATE
// TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog.
const schema = `
SELECT pg_advisory_xact_lock(hashtext('dre.schema_snapshots'));
CREATE TABLE IF NOT EXISTS schema_snapshots (
	table_key         text        PRIMARY KEY,
	columns           jsonb       NOT NULL,
	taken_at          timestamptz NOT NULL,
	taken_by          text        NOT NULL DEFAULT '',
	previous          jsonb,
	previous_taken_at timestamptz
);`

// Snapshot is one table's recorded shape.
type Snapshot struct {
	Columns []warehouse.Column
	TakenAt time.Time
	// TakenBy identifies the diagnosis attempt that recorded it (workflow,
	// run and activity), so that a retry of that attempt compares against
	// Previous, the shape it replaced, and reports the same drift again.
	TakenBy         string
	Previous        []warehouse.Column
	PreviousTakenAt time.Time
}

// Store reads and writes snapshots; use New. It is safe for concurrent use.
type Store struct {
	state statedb.Lazy
}

// New returns a store over the PostgreSQL database at dsn; it connects on
// first use, so a worker starts while the state database is down.
func New(dsn string) *Store {
	return &Store{state: statedb.Lazy{DSN: dsn, Schema: schema, Tables: "schema_snapshots", NoDatabase: ErrNoDatabase}}
}

// ErrNoDatabase is returned by a store without a DSN.
var ErrNoDatabase = errors.New("schema snapshots need dre's state database: set state.dsn in dre.yaml (or DRE_STATE_DSN)")

func (s *Store) db(ctx context.Context) (*pgxpool.Pool, error) { return s.state.Pool(ctx) }

// Close releases the connections.
func (s *Store) Close() { s.state.Close() }

// Load returns the snapshot of key; ok is false when none was taken.
func (s *Store) Load(ctx context.Context, key string) (snap Snapshot, ok bool, err error) {
	db, err := s.db(ctx)
	if err != nil {
		return Snapshot{}, false, err
	}
	var cols, prev []byte
	var prevAt *time.Time
	err = db.QueryRow(ctx, `SELECT columns, taken_at, taken_by, previous, previous_taken_at FROM schema_snapshots WHERE table_key = $1`, key).
		Scan(&cols, &snap.TakenAt, &snap.TakenBy, &prev, &prevAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Snapshot{}, false, nil
	}
	if err == nil {
		err = json.Unmarshal(cols, &snap.Columns)
	}
	if err == nil && prev != nil {
		err = json.Unmarshal(prev, &snap.Previous)
	}
	if err != nil {
		return Snapshot{}, false, fmt.Errorf("state database: reading the schema snapshot of %s: %w", key, err)
	}
	if prevAt != nil {
		snap.PreviousTakenAt = prevAt.UTC()
	}
	snap.TakenAt = snap.TakenAt.UTC()
	return snap, true, nil
}

// Save records snap as key's snapshot, replacing any earlier one.
func (s *Store) Save(ctx context.Context, key string, snap Snapshot) error {
	db, err := s.db(ctx)
	if err != nil {
		return err
	}
	cols, err := json.Marshal(snap.Columns)
	if err != nil {
		return err
	}
	var prev []byte
	var prevAt *time.Time
	if snap.Previous != nil {
		if prev, err = json.Marshal(snap.Previous); err != nil {
			return err
		}
		at := snap.PreviousTakenAt.UTC()
		prevAt = &at
	}
	_, err = db.Exec(ctx, `INSERT INTO schema_snapshots (table_key, columns, taken_at, taken_by, previous, previous_taken_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (table_key) DO UPDATE SET columns = EXCLUDED.columns, taken_at = EXCLUDED.taken_at,
	taken_by = EXCLUDED.taken_by, previous = EXCLUDED.previous, previous_taken_at = EXCLUDED.previous_taken_at`,
		key, cols, snap.TakenAt.UTC(), snap.TakenBy, prev, prevAt)
	if err != nil {
		return fmt.Errorf("state database: saving the schema snapshot of %s: %w", key, err)
	}
	return nil
}
