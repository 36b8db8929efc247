package demo

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/jackc/pgx/v5"
)

// cluster is shared by the tests, each in its own database.
var cluster *localpg.Cluster

func TestMain(m *testing.M) { localpgtest.Main(m, &cluster) }

// seedToday is mid-afternoon, to check that Seed works on its date.
var seedToday = time.Date(2026, 3, 15, 17, 30, 0, 0, time.UTC)

func day(offset int) string {
	return seedToday.AddDate(0, 0, offset).Format(time.DateOnly)
}

func TestFirstSeedCreatesEveryDayButTheGap(t *testing.T) {
	conn, s := seedNew(t, seedToday)
	if !s.Created || s.Days != 90 || !strings.HasPrefix(s.String(), "created (90 new days): ") {
		t.Errorf("summary = %+v (%s), want created with 90 new days", s, s)
	}
	raw := perDay(t, conn, "SELECT (event_time AT TIME ZONE 'UTC')::date, count(*) FROM raw.order_events GROUP BY 1")
	orders := perDay(t, conn, "SELECT order_date, count(*) FROM public.orders GROUP BY 1")
	events := perDay(t, conn, "SELECT event_date, count(*) FROM public.events GROUP BY 1")
	if len(raw) != 90 || len(events) != 90 || len(orders) != 89 {
		t.Errorf("days with rows: raw %d, events %d, orders %d; want 90, 90, 89", len(raw), len(events), len(orders))
	}
	for i := -89; i <= 0; i++ {
		d := day(i)
		checkRange(t, "raw.order_events on "+d, raw[d], 150, 250)
		checkRange(t, "public.events on "+d, events[d], 360, 440)
		want := raw[d]
		if i == -3 {
			want = 0 // the gap
		}
		if orders[d] != want {
			t.Errorf("public.orders on %s has %d rows, want %d", d, orders[d], want)
		}
	}
	for table, want := range map[string]int64{"public.customers": 1000, "public.legacy_sessions": 300} {
		if s.Tables[table] != want {
			t.Errorf("%s has %d rows, want %d", table, s.Tables[table], want)
		}
	}
	checkRange(t, "NULL customer_id per mille of events", queryInt(t, conn,
		"SELECT (1000 * count(*) FILTER (WHERE customer_id IS NULL) / count(*)) FROM public.events"), 3, 20)
}

func TestSeedLoadTimes(t *testing.T) {
	conn, _ := seedNew(t, seedToday)
	var past, today time.Time
	err := conn.QueryRow(t.Context(), `SELECT
		(SELECT min(loaded_at) FROM public.orders WHERE order_date = $1),
		(SELECT min(loaded_at) FROM public.orders WHERE order_date = $2)`, day(-10), day(0)).Scan(&past, &today)
	if err != nil {
		t.Fatal(err)
	}
	if want := seedToday.AddDate(0, 0, -9).Truncate(24 * time.Hour).Add(2 * time.Hour); !past.Equal(want) {
		t.Errorf("loaded_at of %s = %v, want %v", day(-10), past, want)
	}
	if time.Since(today) > time.Minute || time.Since(today) < 0 {
		t.Errorf("loaded_at of today's partition = %v, want now", today)
	}
}

func TestSeedHoldsNoRowsFromTheFuture(t *testing.T) {
	now := time.Now().UTC()
	conn, _ := seedNew(t, now)
	for _, table := range []string{"raw.order_events", "public.events"} {
		if n := queryInt(t, conn, "SELECT count(*) FROM "+table+" WHERE event_time > now()"); n != 0 {
			t.Errorf("%s has %d rows with an event_time after now (%s)", table, n, now)
		}
	}
}

func TestReseedSameDayChangesNothing(t *testing.T) {
	conn, first := seedNew(t, seedToday)
	before := fingerprint(t, conn)
	begin := time.Now()
	second, err := Seed(t.Context(), conn.Config().ConnString(), seedToday)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("re-seed took %v", time.Since(begin).Round(time.Millisecond))
	if second.Created || second.Days != 0 || !maps.Equal(first.Tables, second.Tables) {
		t.Errorf("re-seed summary = %+v, want nothing created or added and counts %v", second, first.Tables)
	}
	if after := fingerprint(t, conn); !maps.Equal(before, after) {
		t.Errorf("re-seed changed rows:\nbefore %v\nafter  %v", before, after)
	}
}

func TestSeedLaterDayAddsExactlyTheNewDays(t *testing.T) {
	conn, first := seedNew(t, seedToday)
	s, err := Seed(t.Context(), conn.Config().ConnString(), seedToday.AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	if s.Created || s.Days != 2 {
		t.Errorf("summary = %+v, want 2 new days", s)
	}
	raw := perDay(t, conn, "SELECT (event_time AT TIME ZONE 'UTC')::date, count(*) FROM raw.order_events GROUP BY 1")
	orders := perDay(t, conn, "SELECT order_date, count(*) FROM public.orders GROUP BY 1")
	newRaw := raw[day(1)] + raw[day(2)]
	if newRaw == 0 || s.Tables["raw.order_events"]-first.Tables["raw.order_events"] != newRaw {
		t.Errorf("raw.order_events grew by %d, want the %d rows of the two new days",
			s.Tables["raw.order_events"]-first.Tables["raw.order_events"], newRaw)
	}
	if got := s.Tables["public.orders"] - first.Tables["public.orders"]; got != newRaw {
		t.Errorf("public.orders grew by %d, want %d (the two new days only)", got, newRaw)
	}
	if len(orders) != 91 || orders[day(1)] != raw[day(1)] || orders[day(2)] != raw[day(2)] || orders[day(-3)] != 0 {
		t.Errorf("orders per day after the later seed: %d days, new %d/%d, old gap %d",
			len(orders), orders[day(1)], orders[day(2)], orders[day(-3)])
	}
	events := perDay(t, conn, "SELECT event_date, count(*) FROM public.events GROUP BY 1")
	if len(events) != 92 || s.Tables["public.events"]-first.Tables["public.events"] != events[day(1)]+events[day(2)] {
		t.Errorf("events: %d days, grew by %d", len(events), s.Tables["public.events"]-first.Tables["public.events"])
	}
	if s.Tables["public.customers"] != 1000 {
		t.Errorf("customers = %d after the later seed, want 1000", s.Tables["public.customers"])
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	a, _ := seedNew(t, seedToday)
	b, _ := seedNew(t, seedToday)
	if fa, fb := fingerprint(t, a), fingerprint(t, b); !maps.Equal(fa, fb) {
		t.Errorf("two seeds for the same day differ:\n%v\n%v", fa, fb)
	}
}

func TestCustomersArePlausibleAndTagged(t *testing.T) {
	conn, _ := seedNew(t, seedToday)
	for col, want := range map[string]string{"name": "pii:name", "email": "pii:email", "phone": "pii:phone"} {
		var got *string
		err := conn.QueryRow(t.Context(), `SELECT col_description('public.customers'::regclass, attnum)
			FROM pg_attribute WHERE attrelid = 'public.customers'::regclass AND attname = $1`, col).Scan(&got)
		if err != nil || got == nil || *got != want {
			t.Errorf("comment on customers.%s = %v (%v), want %q", col, got, err, want)
		}
	}
	email := regexp.MustCompile(`^[a-z._]+[0-9]+@([a-z]+\.)?example\.com$`)
	phone := regexp.MustCompile(`^\+[1-9][0-9]{9,14}$`)
	rows, err := conn.Query(t.Context(), "SELECT name, email, phone FROM public.customers")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, mail, tel string
		if err := rows.Scan(&name, &mail, &tel); err != nil {
			t.Fatal(err)
		}
		if len(strings.Fields(name)) != 2 || !email.MatchString(mail) || !phone.MatchString(tel) {
			t.Fatalf("implausible customer %q <%s> %s", name, mail, tel)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestReaderRoleCanSelectCustomers(t *testing.T) {
	conn, _ := seedNew(t, seedToday)
	var exists, canSelect bool
	err := conn.QueryRow(t.Context(), `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1),
		has_table_privilege($1, 'public.customers', 'SELECT')`, ReaderRole).Scan(&exists, &canSelect)
	if err != nil || !exists || !canSelect {
		t.Errorf("role %s exists=%v, can select customers=%v (%v)", ReaderRole, exists, canSelect, err)
	}
}

// seedNew seeds a fresh database and returns a connection to it.
func seedNew(t *testing.T, today time.Time) (*pgx.Conn, Summary) {
	t.Helper()
	dsn := localpgtest.NewDatabase(t, cluster)
	begin := time.Now()
	s, err := Seed(t.Context(), dsn, today)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	t.Logf("seed took %v: %s", time.Since(begin).Round(time.Millisecond), s)
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn, s
}

// perDay runs a (date, count) query and maps days to counts.
func perDay(t *testing.T, conn *pgx.Conn, sql string) map[string]int64 {
	t.Helper()
	rows, err := conn.Query(t.Context(), sql)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	var d time.Time
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&d, &n}, func() error {
		counts[d.Format(time.DateOnly)] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// fingerprint hashes every table's contents, leaving out orders.loaded_at,
// which is now() for today's partition.
func fingerprint(t *testing.T, conn *pgx.Conn) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for table, cols := range map[string]string{
		"raw.order_events":       "order_id, customer_id, amount_cents, status, event_time",
		"public.orders":          "order_id, customer_id, amount_cents, status, order_date",
		"public.customers":       "customer_id, name, email, phone, country, created_at",
		"public.events":          "event_id, customer_id, event_type, event_date, event_time, properties",
		"public.legacy_sessions": "session_id, customer_id, started_at",
	} {
		var sum string
		sql := fmt.Sprintf("SELECT md5(string_agg(ROW(%s)::text, '|' ORDER BY 1)) FROM %s", cols, table)
		if err := conn.QueryRow(t.Context(), sql).Scan(&sum); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		sums[table] = sum
	}
	return sums
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func checkRange(t *testing.T, what string, got, lo, hi int64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %d, want %d..%d", what, got, lo, hi)
	}
}

// TestOwnerRoleExistsWithoutGrants: the demo owner's principal exists, and
// reads customers only once dre grants it.
func TestOwnerRoleExistsWithoutGrants(t *testing.T) {
	conn, _ := seedNew(t, seedToday)
	var exists, canSelect bool
	err := conn.QueryRow(t.Context(), `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1),
		has_table_privilege($1, 'public.customers', 'SELECT')`, OwnerRole).Scan(&exists, &canSelect)
	if err != nil || !exists || canSelect {
		t.Errorf("role %s exists=%v, can select customers=%v (%v); want it to exist without grants", OwnerRole, exists, canSelect, err)
	}
}
