// Package slostore keeps SLO observations in dre's state database
// (PostgreSQL), in the table slo_observations, which it creates on first
// use. One row per (dataset, SLO, slot): recording a slot again replaces
// it, so a retried activity never counts an interval twice.
package slostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/statedb"
)

// schema creates the table under an advisory lock, because concurrent
// CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog
// when several workers start at once.
const schema = `
SELECT pg_advisory_xact_lock(hashtext('dre.slo_observations'));
CREATE TABLE IF NOT EXISTS slo_observations (
	dataset  text        NOT NULL,
	slo      text        NOT NULL,
	at       timestamptz NOT NULL,
	good     bigint      NOT NULL,
	total    bigint      NOT NULL,
	value    double precision NOT NULL DEFAULT 0,
	incident boolean     NOT NULL DEFAULT false,
	detail   text        NOT NULL DEFAULT '',
	PRIMARY KEY (dataset, slo, at)
);
ALTER TABLE slo_observations ADD COLUMN IF NOT EXISTS reconstructed boolean NOT NULL DEFAULT false;`

// Store reads and writes observations. The zero value is not usable; use
// New. It is safe for concurrent use.
type Store struct {
	state statedb.Lazy
}

// New returns a store over the PostgreSQL database at dsn. It connects
// lazily, so a worker starts even while the state database is down.
func New(dsn string) *Store {
	return &Store{state: statedb.Lazy{DSN: dsn, Schema: schema, Tables: "slo_observations", NoDatabase: ErrNoDatabase}}
}

// ErrNoDatabase is returned by every method of a store without a DSN.
var ErrNoDatabase = errors.New("SLO observations need dre's state database: set state.dsn in dre.yaml (or DRE_STATE_DSN)")

// db connects and creates the table on first use; a failure is retried on
// the next call.
func (s *Store) db(ctx context.Context) (*pgxpool.Pool, error) { return s.state.Pool(ctx) }

// Close releases the connections.
func (s *Store) Close() { s.state.Close() }

// Record stores one observation of dataset's SLO, replacing any earlier
// one of the same slot, reconstructed or not: a live reading is better.
func (s *Store) Record(ctx context.Context, dataset, name string, o slo.Observation, detail string) error {
	db, err := s.db(ctx)
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, `INSERT INTO slo_observations (dataset, slo, at, good, total, value, incident, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (dataset, slo, at) DO UPDATE SET good = EXCLUDED.good, total = EXCLUDED.total,
	value = EXCLUDED.value, incident = EXCLUDED.incident, detail = EXCLUDED.detail, reconstructed = false`,
		dataset, name, o.At.UTC(), o.Good, o.Total, o.Value, o.Incident, detail)
	if err != nil {
		return fmt.Errorf("state database: recording an observation of %s/%s: %w", dataset, name, err)
	}
	return nil
}

// RecordReconstructed stores readings computed from the warehouse's
// history, marked reconstructed, in slots that hold no reading yet: a
// reading already there (live, or reconstructed before) is kept, so the
// bootstrap can run again. details are the readings' reasons, one each.
// It returns how many it stored.
func (s *Store) RecordReconstructed(ctx context.Context, dataset, name string, obs []slo.Observation, details []string) (int64, error) {
	if len(details) != len(obs) {
		return 0, fmt.Errorf("slostore: %d readings but %d details", len(obs), len(details))
	}
	db, err := s.db(ctx)
	if err != nil {
		return 0, err
	}
	at, good, total, value := make([]time.Time, len(obs)), make([]int64, len(obs)), make([]int64, len(obs)), make([]float64, len(obs))
	for i, o := range obs {
		at[i], good[i], total[i], value[i] = o.At.UTC(), o.Good, o.Total, o.Value
	}
	tag, err := db.Exec(ctx, `INSERT INTO slo_observations (dataset, slo, at, good, total, value, detail, reconstructed)
SELECT $1, $2, r.at, r.good, r.total, r.value, r.detail, true
FROM unnest($3::timestamptz[], $4::bigint[], $5::bigint[], $6::double precision[], $7::text[]) AS r(at, good, total, value, detail)
ON CONFLICT (dataset, slo, at) DO NOTHING`, dataset, name, at, good, total, value, details)
	if err != nil {
		return 0, fmt.Errorf("state database: recording the reconstructed history of %s/%s: %w", dataset, name, err)
	}
	return tag.RowsAffected(), nil
}

// Since returns the observations of dataset's SLO after from, oldest first.
func (s *Store) Since(ctx context.Context, dataset, name string, from time.Time) ([]slo.Observation, error) {
	return s.list(ctx, `WHERE dataset = $1 AND slo = $2 AND at > $3 ORDER BY at`, dataset, name, from.UTC())
}

// Between returns the observations of dataset's SLO whose slot starts in
// [from, to), oldest first: the readings of a calendar period.
func (s *Store) Between(ctx context.Context, dataset, name string, from, to time.Time) ([]slo.Observation, error) {
	return s.list(ctx, `WHERE dataset = $1 AND slo = $2 AND at >= $3 AND at < $4 ORDER BY at`, dataset, name, from.UTC(), to.UTC())
}

// Recent returns the latest n observations of dataset's SLO taken outside
// incidents, newest first: the points of a volume baseline.
func (s *Store) Recent(ctx context.Context, dataset, name string, n int) ([]slo.Observation, error) {
	return s.list(ctx, `WHERE dataset = $1 AND slo = $2 AND NOT incident ORDER BY at DESC LIMIT $3`, dataset, name, n)
}

func (s *Store) list(ctx context.Context, where string, args ...any) ([]slo.Observation, error) {
	db, err := s.db(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT at, good, total, value, incident, reconstructed FROM slo_observations `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("state database: reading observations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (slo.Observation, error) {
		var o slo.Observation
		err := r.Scan(&o.At, &o.Good, &o.Total, &o.Value, &o.Incident, &o.Reconstructed)
		o.At = o.At.UTC()
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("state database: reading observations: %w", err)
	}
	return out, nil
}
