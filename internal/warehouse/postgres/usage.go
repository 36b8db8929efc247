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
//     that cannot be read is a UsageUnreadableError, never zero reads.
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
		scans, err := observe(ctx, tx, ref, oid, replicaScans)
		if err != nil {
			return err
		}
		u, err = readsSince(ctx, tx, ref, since, scans)
		return err
	})
	return u, failure("reading the usage of", ref, "", err)
}

// observe records the table's scan count now, the primary's plus
// elsewhere (the replicas'), and returns it.
func observe(ctx context.Context, q querier, ref warehouse.TableRef, oid uint32, elsewhere int64) (int64, error) {
	var scans int64
	err := q.QueryRow(ctx, `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relid = $1`, oid).Scan(&scans)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) { // a view has no counters
		return 0, err
	}
	scans += elsewhere
	_, err = q.Exec(ctx, `INSERT INTO dre_meta.usage_observations (schema_name, table_name, observed_at, scans)
		VALUES ($1, $2, clock_timestamp(), $3) ON CONFLICT DO NOTHING`, ref.Schema, ref.Table, scans)
	return scans, err
}

// readsSince compares the current count with the baseline observation.
func readsSince(ctx context.Context, q querier, ref warehouse.TableRef, since time.Time, scans int64) (warehouse.Usage, error) {
	var base int64
	err := q.QueryRow(ctx, `SELECT scans FROM dre_meta.usage_observations
		WHERE schema_name = $1 AND table_name = $2 AND observed_at <= $3 ORDER BY observed_at DESC LIMIT 1`,
		ref.Schema, ref.Table, since).Scan(&base)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return warehouse.Usage{}, err
	}
	u := warehouse.Usage{Reads: scans - base}
	if u.Reads < 0 { // the counters were reset since the baseline
		u.Reads = scans
	}
	if u.Reads == 0 {
		return u, nil
	}
	err = q.QueryRow(ctx, `SELECT min(observed_at) FROM dre_meta.usage_observations
		WHERE schema_name = $1 AND table_name = $2 AND observed_at > $3 AND scans = $4`,
		ref.Schema, ref.Table, since, scans).Scan(&u.LastRead)
	return u, err
}
