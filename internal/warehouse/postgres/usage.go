package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Usage estimates a table's reads since a time from PostgreSQL's scan
// counters. PostgreSQL before 16 keeps no time of a table's last scan,
// only counts (seq_scan, idx_scan in pg_stat_user_tables), so each call
// records the current count in dre_meta.usage_observations and reports
// the growth since the newest observation at or before since. Hence:
//   - Exact is false, and Readers empty: the counters say neither who
//     read nor exactly when; LastRead is the first observation that saw
//     the latest count, so the last read happened at or before it;
//   - dre's own reads count (Describe, PartitionStats, Sample);
//   - without an observation from before since, every scan since the
//     counters were last reset counts: an over-estimate, the safe side for
//     a deprecation that waits for a table to go unread;
//   - counters lag a little: a backend publishes them when it goes idle,
//     at most once a second;
//   - each server keeps its own counters, so the scans of the replicas
//     given to SetReplicas are added to the primary's (a replica added
//     later adds its whole count once: an over-estimate again); a replica
//     that cannot be read is a UsageUnreadableError, never zero reads;
//   - where pg_stat_statements is installed in the database, the calls
//     of the statements that read the table (see readsTable for the rule)
//     are sampled the same way, and Readers are the roles that ran them
//     (since the statistics were last reset, which may be before since);
//     the reads are the larger growth of the two counters.
func (w *Warehouse) Usage(ctx context.Context, ref warehouse.TableRef, since time.Time) (warehouse.Usage, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.Usage{}, err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return warehouse.Usage{}, err
	}
	replicaScans, err := w.replicaScans(ctx, ref)
	if err != nil {
		return warehouse.Usage{}, err
	}
	var u warehouse.Usage
	err = w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		oid, err := relation(ctx, tx, ref)
		if err != nil {
			return err
		}
		stmts, err := statementsReading(ctx, tx, ref)
		if err != nil {
			return err
		}
		now := counters{scans: replicaScans, calls: stmts.calls}
		if err := observe(ctx, tx, ref, oid, &now); err != nil {
			return err
		}
		if u, err = readsSince(ctx, tx, ref, since, now); err == nil && u.Reads > 0 {
			u.Readers = stmts.readers
		}
		return err
	})
	var unreadable *warehouse.UsageUnreadableError
	if errors.As(err, &unreadable) {
		return warehouse.Usage{}, err
	}
	return u, failure("reading the usage of", ref, "", err)
}

// counters are the read counters Usage samples: scans (the primary's and
// the replicas'), and calls of statements reading the table
// (pg_stat_statements; zero without it).
type counters struct {
	scans, calls int64
}

// observe adds the primary's scan count to now, and records now.
func observe(ctx context.Context, q querier, ref warehouse.TableRef, oid uint32, now *counters) error {
	var scans int64
	err := q.QueryRow(ctx, `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relid = $1`, oid).Scan(&scans)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) { // a view has no counters
		return err
	}
	now.scans += scans
	_, err = q.Exec(ctx, `INSERT INTO dre_meta.usage_observations (schema_name, table_name, observed_at, scans, statement_calls)
		VALUES ($1, $2, clock_timestamp(), $3, $4) ON CONFLICT DO NOTHING`, ref.Schema, ref.Table, now.scans, now.calls)
	return err
}

// readsSince compares the current counters with the baseline observation.
// A read shows in the scans, in the statement calls or in both (a SELECT on
// the primary), so the reads are the larger growth, not the sum.
func readsSince(ctx context.Context, q querier, ref warehouse.TableRef, since time.Time, now counters) (warehouse.Usage, error) {
	var base counters
	err := q.QueryRow(ctx, `SELECT scans, statement_calls FROM dre_meta.usage_observations
		WHERE schema_name = $1 AND table_name = $2 AND observed_at <= $3 ORDER BY observed_at DESC LIMIT 1`,
		ref.Schema, ref.Table, since).Scan(&base.scans, &base.calls)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return warehouse.Usage{}, err
	}
	u := warehouse.Usage{Reads: max(growth(base.scans, now.scans), growth(base.calls, now.calls))}
	if u.Reads == 0 {
		return u, nil
	}
	err = q.QueryRow(ctx, `SELECT min(observed_at) FROM dre_meta.usage_observations
		WHERE schema_name = $1 AND table_name = $2 AND observed_at > $3 AND scans = $4 AND statement_calls = $5`,
		ref.Schema, ref.Table, since, now.scans, now.calls).Scan(&u.LastRead)
	return u, err
}

// growth is a counter's growth from base; all of now when the counter was
// reset since (now below base).
func growth(base, now int64) int64 {
	if now < base {
		return now
	}
	return now - base
}
