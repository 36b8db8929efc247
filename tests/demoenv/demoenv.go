// Package demoenv holds what tests that run dre as separate processes
// share about the demo warehouse: its catalog as a production dre.yaml and
// the comparison of the backfilled orders table with its source.
package demoenv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/demo"
)

// ServiceConfig writes the demo catalog as a production dre.yaml and
// returns its path: the warehouse DSN is a reference to WAREHOUSE_DSN,
// never a value. Each orders partition sleeps pause seconds, so a backfill
// lasts long enough to be interrupted; extra is appended as more top-level
// sections.
func ServiceConfig(t testing.TB, pause float64, extra string) string {
	t.Helper()
	text := strings.Replace(string(demo.Config), "    postgres:\n      embedded: true\nstate:\n  embedded: true\n",
		"    postgres:\n      dsn: {env: WAREHOUSE_DSN}\n", 1)
	text = strings.Replace(text, "FROM raw.order_events WHERE", fmt.Sprintf("FROM raw.order_events, (SELECT pg_sleep(%g)) AS pause WHERE", pause), 1)
	if !strings.Contains(text, "pg_sleep") || !strings.Contains(text, "WAREHOUSE_DSN") {
		t.Fatal("the demo config changed shape; update demoenv.ServiceConfig")
	}
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(text+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Day is the date n days before today (UTC), as the CLI takes it.
func Day(n int) string {
	return time.Now().UTC().AddDate(0, 0, -n).Format("2006-01-02")
}

// OrdersMismatch counts the rows of public.orders and raw.order_events in
// [from, to) that have no identical counterpart on the other side, and
// the rows of public.orders.
func OrdersMismatch(t testing.TB, conn *pgx.Conn, from, to string) (mismatched, rows int64) {
	t.Helper()
	err := conn.QueryRow(t.Context(), `WITH o AS (
	SELECT order_id, customer_id, amount_cents, status, order_date FROM public.orders WHERE order_date >= $1::date AND order_date < $2::date),
e AS (SELECT order_id, customer_id, amount_cents, status, event_time::date AS order_date FROM raw.order_events
	WHERE event_time >= $1::date AND event_time < $2::date)
SELECT (SELECT count(*) FROM (SELECT * FROM o EXCEPT ALL SELECT * FROM e) AS extra)
     + (SELECT count(*) FROM (SELECT * FROM e EXCEPT ALL SELECT * FROM o) AS missing),
       (SELECT count(*) FROM o)`, from, to).Scan(&mismatched, &rows)
	if err != nil {
		t.Fatal(err)
	}
	return mismatched, rows
}

// LockedBuffer is a bytes.Buffer safe for a child process's output
// goroutines and the test reading it.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
