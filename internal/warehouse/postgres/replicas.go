package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/internal/warehouse"
)

// replica is a read replica whose scan counters Usage adds to the
// primary's: statistics are kept per server, so a report that reads only
// from a replica leaves the primary's counters untouched.
type replica struct {
	name string // "replica 2 (host:port)", for messages; never the DSN
	pool *pgxpool.Pool
}

// SetReplicas gives Usage the read replicas of this warehouse, by DSN.
// Nothing is connected here: a replica that is down must not stop the
// warehouse from opening, only make Usage say it could not read it.
func (w *Warehouse) SetReplicas(dsns []string) error {
	var replicas []replica
	for i, dsn := range dsns {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil { // pgx's message may quote the DSN and its password
			closeReplicas(replicas)
			return fmt.Errorf("invalid PostgreSQL DSN for replica %d (check its syntax: postgres://user@host:port/db)", i+1)
		}
		cfg.MaxConns = 2
		cfg.ConnConfig.RuntimeParams["application_name"] = "dre"
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			closeReplicas(replicas)
			return fmt.Errorf("invalid PostgreSQL connection settings for replica %d", i+1)
		}
		name := fmt.Sprintf("replica %d (%s:%d)", i+1, cfg.ConnConfig.Host, cfg.ConnConfig.Port)
		replicas = append(replicas, replica{name: name, pool: pool})
	}
	closeReplicas(w.replicas)
	w.replicas = replicas
	return nil
}

func closeReplicas(replicas []replica) {
	for _, r := range replicas {
		r.pool.Close()
	}
}

// replicaScans sums the table's scans on every replica. A replica that
// cannot be read is a UsageUnreadableError naming it: its readers would
// otherwise count as none. A replica without the table (not yet
// replicated) has no scans of it.
func (w *Warehouse) replicaScans(ctx context.Context, ref warehouse.TableRef) (int64, error) {
	var total int64
	for _, r := range w.replicas {
		var scans int64
		err := r.pool.QueryRow(ctx, `SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::bigint
			FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`, ref.Schema, ref.Table).Scan(&scans)
		if err != nil {
			if ctx.Err() != nil {
				return 0, errors.Join(ctx.Err(), err)
			}
			return 0, &warehouse.UsageUnreadableError{Source: r.name, Err: err}
		}
		total += scans
	}
	return total, nil
}
