package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/warehouse/warehousetest"
)

// cluster is the one PostgreSQL server of this package's tests; each test
// gets its own database in it.
var cluster *localpg.Cluster

func TestMain(m *testing.M) { localpgtest.Main(m, &cluster) }

func TestConformance(t *testing.T) {
	warehousetest.Run(t, newFixture(t))
}

// roleSeq keeps role names unique: roles belong to the cluster, which all
// the tests share, not to a test's database.
var roleSeq atomic.Int64

// fixture is a database with three roles: dre's user, which is no
// superuser and owns the test schemas, and two principals it is not a
// member of.
type fixture struct {
	w      *postgres.Warehouse
	admin  *pgxpool.Pool // the superuser: roles and schemas
	owner  *pgxpool.Pool // dre's user: tables
	user   string
	a, b   string
	schema atomic.Int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dsn := localpgtest.NewDatabase(t, cluster)
	n := roleSeq.Add(1)
	f := &fixture{user: fmt.Sprintf("dre_%d", n), a: fmt.Sprintf("analyst_%d", n), b: fmt.Sprintf("auditor_%d", n)}
	f.admin = connect(t, dsn)
	var db string
	exec(t, f.admin, "SELECT 1")
	if err := f.admin.QueryRow(t.Context(), "SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	exec(t, f.admin, fmt.Sprintf("CREATE ROLE %s LOGIN; CREATE ROLE %s; CREATE ROLE %s; GRANT CREATE ON DATABASE %s TO %s",
		f.user, f.a, f.b, pgx.Identifier{db}.Sanitize(), f.user))
	userDSN := withUser(t, dsn, f.user)
	f.owner = connect(t, userDSN)
	w, err := postgres.Open(t.Context(), userDSN)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(w.Close)
	f.w = w
	return f
}

func connect(t testing.TB, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func exec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func withUser(t testing.TB, dsn, user string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(user)
	return u.String()
}

func (f *fixture) Warehouse() warehouse.Warehouse { return f.w }

func (f *fixture) Schema(t testing.TB) string {
	name := fmt.Sprintf("s%d", f.schema.Add(1))
	exec(t, f.admin, fmt.Sprintf("CREATE SCHEMA %s AUTHORIZATION %s", name, f.user))
	return name
}

// pgTypes are the PostgreSQL types of the suite's portable ones, spelled
// as format_type (and so Describe) spells them.
var pgTypes = map[warehousetest.ColumnType]string{
	warehousetest.Int64:     "bigint",
	warehousetest.String:    "text",
	warehousetest.Float64:   "double precision",
	warehousetest.Bool:      "boolean",
	warehousetest.Timestamp: "timestamp with time zone",
	warehousetest.Date:      "date",
}

func (f *fixture) CreateTable(t testing.TB, ref warehouse.TableRef, cols []warehousetest.ColumnSpec, rows [][]any) {
	t.Helper()
	defs, names := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		defs[i] = pgx.Identifier{c.Name}.Sanitize() + " " + pgTypes[c.Type]
		if !c.Nullable {
			defs[i] += " NOT NULL"
		}
		names[i] = c.Name
	}
	exec(t, f.owner, fmt.Sprintf("CREATE TABLE %s (%s)", f.Qualified(ref), strings.Join(defs, ", ")))
	_, err := f.owner.CopyFrom(t.Context(), pgx.Identifier{ref.Schema, ref.Table}, names, pgx.CopyFromRows(rows))
	if err != nil {
		t.Fatalf("loading %s: %v", ref, err)
	}
}

func (f *fixture) Qualified(ref warehouse.TableRef) string {
	return pgx.Identifier{ref.Schema, ref.Table}.Sanitize()
}

func (f *fixture) TypeName(c warehousetest.ColumnType) string { return pgTypes[c] }

func (f *fixture) Principals() (a, b string) { return f.a, f.b }

func (f *fixture) Privileges() (table, column string) { return "SELECT", "SELECT" }
