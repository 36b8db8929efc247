package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Warehouse is a PostgreSQL database used as a warehouse.
type Warehouse struct {
	pool *pgxpool.Pool
	// replicas are read replicas whose scans Usage counts too.
	replicas []replica

	// metaReady is set once the dre_meta tables are known to exist, so
	// that they are looked up once per process, not before every write.
	metaMu    sync.Mutex
	metaReady bool
}

var (
	_ warehouse.Warehouse = (*Warehouse)(nil)
	_ warehouse.Conn      = (*Warehouse)(nil)
)

// sessionSettings pin how values print as text. Checksums hash each row's
// text form, so every connection must print a row the same way; comments
// are sent as literals, which needs standard_conforming_strings.
var sessionSettings = map[string]string{
	"application_name":            "dre",
	"TimeZone":                    "UTC",
	"DateStyle":                   "ISO, YMD",
	"IntervalStyle":               "postgres",
	"extra_float_digits":          "1",
	"standard_conforming_strings": "on",
}

// Open connects to the database at dsn and checks that it answers.
func Open(ctx context.Context, dsn string) (*Warehouse, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, which can hold a password.
		return nil, errors.New("invalid PostgreSQL DSN (check its syntax: postgres://user@host:port/db)")
	}
	cfg.MaxConns = 8
	for k, v := range sessionSettings {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, errors.New("invalid PostgreSQL connection settings")
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL at %s:%d does not answer: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &Warehouse{pool: pool}, nil
}

// Close releases the connections.
func (w *Warehouse) Close() {
	closeReplicas(w.replicas)
	w.pool.Close()
}

// Ping checks that the database answers.
func (w *Warehouse) Ping(ctx context.Context) error { return w.pool.Ping(ctx) }

// ProbeTable counts the rows of a table and reads the newest value of its
// freshness column, in one read-only transaction. A missing table is
// reported through TableProbe.Exists, not as an error.
func (w *Warehouse) ProbeTable(ctx context.Context, ref warehouse.TableRef, freshnessColumn string) (warehouse.TableProbe, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.TableProbe{}, err
	}
	latest := "NULL::timestamptz"
	if freshnessColumn != "" {
		if err := warehouse.ValidIdentifier(freshnessColumn); err != nil {
			return warehouse.TableProbe{}, err
		}
		latest = fmt.Sprintf("max(%s)::timestamptz", quote(freshnessColumn))
	}
	var probe warehouse.TableProbe
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		if _, err := relation(ctx, tx, ref); err != nil {
			return err
		}
		var newest *time.Time
		err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*), %s FROM %s`, latest, ident(ref))).Scan(&probe.Rows, &newest)
		probe.Exists, probe.Latest = err == nil, newest
		return err
	})
	if nf := (*warehouse.NotFoundError)(nil); errors.As(err, &nf) && nf.Kind == "table" {
		return warehouse.TableProbe{}, nil
	}
	return probe, failure("probing", ref, "SELECT on "+ref.String(), err)
}

// ident quotes a table reference for SQL text.
func ident(ref warehouse.TableRef) string { return pgx.Identifier{ref.Schema, ref.Table}.Sanitize() }

// quote quotes one identifier for SQL text.
func quote(name string) string { return pgx.Identifier{name}.Sanitize() }
