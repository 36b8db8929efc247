// Package postgres is dre's PostgreSQL warehouse adapter, built on pgx.
package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Warehouse is a PostgreSQL database used as a warehouse.
type Warehouse struct {
	pool *pgxpool.Pool
}

// Open connects to the database at dsn and checks that it answers.
func Open(ctx context.Context, dsn string) (*Warehouse, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, which can hold a password.
		return nil, fmt.Errorf("invalid PostgreSQL DSN (check its syntax: postgres://user@host:port/db)")
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL at %s:%d does not answer: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &Warehouse{pool: pool}, nil
}

// Close releases the connections.
func (w *Warehouse) Close() { w.pool.Close() }

// ProbeTable counts the rows of a table and reads the newest value of its
// freshness column, in one read-only statement.
func (w *Warehouse) ProbeTable(ctx context.Context, ref warehouse.TableRef, freshnessColumn string) (warehouse.TableProbe, error) {
	var exists bool
	err := w.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, pgx.Identifier{ref.Schema, ref.Table}.Sanitize()).Scan(&exists)
	if err != nil || !exists {
		return warehouse.TableProbe{}, err
	}
	table := pgx.Identifier{ref.Schema, ref.Table}.Sanitize()
	latest := "NULL::timestamptz"
	if freshnessColumn != "" {
		latest = fmt.Sprintf("max(%s)::timestamptz", pgx.Identifier{freshnessColumn}.Sanitize())
	}
	var probe warehouse.TableProbe
	var newest *time.Time
	err = w.pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*), %s FROM %s`, latest, table)).Scan(&probe.Rows, &newest)
	if err != nil {
		return warehouse.TableProbe{}, fmt.Errorf("probing %s: %w", ref, err)
	}
	probe.Exists, probe.Latest = true, newest
	return probe, nil
}
