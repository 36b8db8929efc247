package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// seedWindowDays is how much history the demo keeps: the days up to today.
	seedWindowDays = 90
	// seedGapAge is the age in days of the one orders partition the first load
	// leaves empty, so that the demo has a gap for a backfill to fix.
	seedGapAge = 3
	// ReaderRole is the role granted SELECT on public.customers, so that a
	// PII access review has a grant to review.
	ReaderRole = "dre_demo_reader"
	// OwnerRole is the demo owner's own role, the warehouse principal of
	// people.demo-owner in the demo dre.yaml.
	OwnerRole = "dre_demo_owner"
)

// OrdersPartitionSQL is the per-partition query that derives public.orders
// from raw.order_events for event times in [$1, $2); the demo catalog
// records it, and Seed loads public.orders with exactly this query.
const OrdersPartitionSQL = `SELECT order_id, customer_id, amount_cents, status, event_time::date AS order_date, now() AS loaded_at FROM raw.order_events WHERE event_time >= $1 AND event_time < $2`

// Summary describes what Seed did and left behind.
type Summary struct {
	// Tables maps each demo table, schema-qualified, to its row count.
	Tables map[string]int64
	// Days counts the days of order events this run added: 90 on the
	// first run, 0 when the warehouse was already up to date.
	Days int
	// Created reports whether this run created the warehouse.
	Created bool
}

// String renders the summary on one line.
func (s Summary) String() string {
	verb := "up to date"
	switch {
	case s.Created:
		verb = "created"
	case s.Days > 0:
		verb = "updated"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(s.Tables)) {
		parts = append(parts, fmt.Sprintf("%s=%d", name, s.Tables[name]))
	}
	return fmt.Sprintf("%s (%d new days): %s", verb, s.Days, strings.Join(parts, " "))
}

// seedWindow is the span of days being seeded, as UTC midnights.
type seedWindow struct {
	first, today time.Time
	// todaySecs is how much of today has passed: today's rows get times
	// before now, so the demo never holds rows from the future.
	todaySecs int
}

// tableSeeder fills one table; Seed runs each in its own transaction.
type tableSeeder func(ctx context.Context, tx pgx.Tx, w seedWindow, s *Summary) error

// Seed creates or tops up the demo warehouse in the database at dsn so that
// it holds data for each of the 90 days up to today (its UTC date). It is
// idempotent: the data is a deterministic function of the dates, rows that
// exist are never duplicated or changed, and a later today adds only the
// missing days. Days are UTC, and Seed sets the database's time zone to
// UTC so that event_time::date in the catalog query agrees with it.
func Seed(ctx context.Context, dsn string, today time.Time) (Summary, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return Summary{}, fmt.Errorf("demo seed: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var s Summary
	if err := conn.QueryRow(ctx, "SELECT to_regclass('raw.order_events') IS NULL").Scan(&s.Created); err != nil {
		return Summary{}, fmt.Errorf("demo seed: %w", err)
	}
	if _, err := conn.Exec(ctx, seedSessionSQL); err != nil {
		return Summary{}, fmt.Errorf("demo seed: session setup: %w", err)
	}
	d := today.UTC()
	w := seedWindow{today: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
	w.first = w.today.AddDate(0, 0, 1-seedWindowDays)
	w.todaySecs = max(1, int(d.Sub(w.today).Seconds()))
	steps := map[string]tableSeeder{"raw.order_events": seedOrderEvents, "public.orders": seedOrders,
		"public.customers": seedCustomers, "public.events": seedEvents, "public.legacy_sessions": seedLegacySessions}
	// Orders derive from order events, so that order matters; the rest
	// are independent.
	for _, table := range []string{"raw.order_events", "public.orders", "public.customers", "public.events", "public.legacy_sessions"} {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return steps[table](ctx, tx, w, &s) })
		if err != nil {
			return Summary{}, fmt.Errorf("demo seed %s: %w", table, err)
		}
	}
	if s.Tables, err = seedCountRows(ctx, conn, slices.Collect(maps.Keys(steps))); err != nil {
		return Summary{}, fmt.Errorf("demo seed: %w", err)
	}
	return s, nil
}

// seedSessionSQL defines the session's pseudo-random helpers as temporary
// functions, so the demo database keeps only the demo tables. rnd(x, seed,
// n) is a hash of x in [0, n): the same ids give the same data on every
// run. day_ids numbers base+rnd(spread) rows per day from first to last,
// with ids derived from the date, so each day's rows are the same whatever
// today is. It also fixes the database time zone (see Seed).
const seedSessionSQL = `
CREATE FUNCTION pg_temp.rnd(x bigint, seed bigint, n bigint) RETURNS bigint
	LANGUAGE sql IMMUTABLE AS 'SELECT ((hashint8extended(x, seed) % n) + n) % n';
CREATE FUNCTION pg_temp.day_ids(first date, last date, base int, spread int, seed bigint)
	RETURNS TABLE (day date, id bigint) LANGUAGE sql IMMUTABLE AS $$
	SELECT d.day, (d.day - date '2000-01-01')::bigint * 1000 + s.n
	FROM generate_series(0, last - first) AS g(i)
	CROSS JOIN LATERAL (SELECT first + g.i AS day) AS d
	CROSS JOIN LATERAL generate_series(1, base + pg_temp.rnd(d.day - date '2000-01-01', seed, spread)) AS s(n)
$$;
DO $$ BEGIN
	EXECUTE format('ALTER DATABASE %I SET timezone TO ''UTC''', current_database());
END $$;
SET timezone TO 'UTC';`

// seedCountRows returns the row count of each table.
func seedCountRows(ctx context.Context, conn *pgx.Conn, tables []string) (map[string]int64, error) {
	counts := make(map[string]int64, len(tables))
	for _, table := range tables {
		var n int64
		// Table names are our own constants, not input.
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			return nil, err
		}
		counts[table] = n
	}
	return counts, nil
}

// seedOrderEvents fills raw.order_events: 150–250 orders a day. Days
// counts the days that had none before.
func seedOrderEvents(ctx context.Context, tx pgx.Tx, w seedWindow, s *Summary) error {
	_, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.order_events (order_id bigint PRIMARY KEY, customer_id bigint,
	amount_cents bigint, status text, event_time timestamptz);
COMMENT ON TABLE raw.order_events IS 'Order events as received from the shop, one row per order.'`)
	if err != nil {
		return err
	}
	return tx.QueryRow(ctx, `WITH added AS (
	INSERT INTO raw.order_events (order_id, customer_id, amount_cents, status, event_time)
	SELECT o.id, 1 + pg_temp.rnd(o.id, 1, 1000), 499 + pg_temp.rnd(o.id, 2, 25000),
		CASE WHEN pg_temp.rnd(o.id, 3, 100) < 10 THEN 'placed' WHEN pg_temp.rnd(o.id, 3, 100) < 30 THEN 'paid'
			WHEN pg_temp.rnd(o.id, 3, 100) < 95 THEN 'shipped' ELSE 'refunded' END,
		(o.day + make_interval(secs => pg_temp.rnd(o.id, 4, CASE WHEN o.day = $2::date THEN $3 ELSE 86400 END))) AT TIME ZONE 'UTC'
	FROM pg_temp.day_ids($1, $2, 150, 101, 5) AS o
	ON CONFLICT (order_id) DO NOTHING
	RETURNING event_time)
SELECT count(DISTINCT (event_time AT TIME ZONE 'UTC')::date) FROM added`, w.first, w.today, w.todaySecs).Scan(&s.Days)
}

// seedOrders loads public.orders one partition (day) at a time with the
// catalog's query, as the pipeline would have. It only appends days after
// the newest loaded one, so a gap stays open until something backfills it,
// and it skips the partition seedGapAge days old to open one.
func seedOrders(ctx context.Context, tx pgx.Tx, w seedWindow, _ *Summary) error {
	_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS public.orders (order_id bigint PRIMARY KEY,
	customer_id bigint, amount_cents bigint, status text, order_date date NOT NULL, loaded_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS orders_order_date_idx ON public.orders (order_date);
COMMENT ON TABLE public.orders IS 'Orders, loaded daily from raw.order_events; one partition per order_date.'`)
	if err != nil {
		return err
	}
	var last *time.Time
	if err := tx.QueryRow(ctx, "SELECT max(order_date) FROM public.orders").Scan(&last); err != nil {
		return err
	}
	// loaded_at pretends a nightly load at 02:00 UTC the next day, except
	// for today's partition, loaded now (NULL keeps the query's now()).
	insert := `INSERT INTO public.orders (order_id, customer_id, amount_cents, status, order_date, loaded_at)
SELECT order_id, customer_id, amount_cents, status, order_date, coalesce($3::timestamptz, loaded_at)
FROM (` + OrdersPartitionSQL + `) AS p ON CONFLICT (order_id) DO NOTHING`
	gap := w.today.AddDate(0, 0, -seedGapAge)
	var batch pgx.Batch
	for day := w.first; !day.After(w.today); day = day.AddDate(0, 0, 1) {
		if (last != nil && !day.After(*last)) || day.Equal(gap) {
			continue
		}
		next := day.AddDate(0, 0, 1)
		var loadedAt *time.Time
		if !day.Equal(w.today) {
			at := next.Add(2 * time.Hour)
			loadedAt = &at
		}
		batch.Queue(insert, day, next, loadedAt)
	}
	return tx.SendBatch(ctx, &batch).Close()
}

// seedCustomers fills public.customers with 1,000 fake people, tags the PII
// columns and grants ReaderRole read access; it also creates OwnerRole,
// with no grants, for the demo owner to be granted access through dre.
func seedCustomers(ctx context.Context, tx pgx.Tx, w seedWindow, _ *Summary) error {
	_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS public.customers (customer_id bigint PRIMARY KEY,
	name text, email text, phone text, country text, created_at timestamptz);
COMMENT ON TABLE public.customers IS 'Registered shop customers.';
COMMENT ON COLUMN public.customers.name IS 'pii:name';
COMMENT ON COLUMN public.customers.email IS 'pii:email';
COMMENT ON COLUMN public.customers.phone IS 'pii:phone';
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+ReaderRole+`') THEN
		CREATE ROLE `+ReaderRole+` NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+OwnerRole+`') THEN
		CREATE ROLE `+OwnerRole+` NOLOGIN;
	END IF;
END $$;
GRANT SELECT ON public.customers TO `+ReaderRole)
	if err != nil {
		return err
	}
	// Phones are E.164: a country prefix (with the mobile range where the
	// country has one), then a subscriber number not starting with 0 or 1.
	_, err = tx.Exec(ctx, `WITH p AS (SELECT c.id, cc.*,
	f.names[1 + pg_temp.rnd(c.id, 21, cardinality(f.names))] AS first,
	l.names[1 + pg_temp.rnd(c.id, 22, cardinality(l.names))] AS last
	FROM generate_series(1, 1000) AS c(id)
	CROSS JOIN (SELECT '{Olivia,Liam,Emma,Noah,Ava,Elijah,Sophia,Lucas,Mia,Mateo,Amelia,Hiroshi,Priya,Wei,Fatima,Lars,
		Ingrid,Pierre,Camille,Jonas,Lena,Omar,Aisha,Diego,Lucia,Tomas,Sven,Yuki,Ana,Kofi}'::text[]) AS f(names)
	CROSS JOIN (SELECT '{Smith,Johnson,Garcia,Brown,Martin,Bernard,Schmidt,Schneider,Rossi,Tanaka,Kim,Nguyen,
		Patel,Silva,Jansen,Dubois,Okafor,Andersson,Novak,Kowalski,Fischer,Lopez,Wilson,Taylor,Moreau,Bakker,Sato,Khan,Meyer,Hansen}'::text[]) AS l(names)
	JOIN (VALUES (0, 'US', '+1', 10), (1, 'US', '+1', 10), (2, 'US', '+1', 10), (3, 'GB', '+447', 9), (4, 'GB', '+447', 9),
		(5, 'DE', '+4915', 9), (6, 'DE', '+4915', 9), (7, 'FR', '+336', 8), (8, 'CA', '+1', 10), (9, 'AU', '+614', 8),
		(10, 'NL', '+316', 8)) AS cc(k, country, prefix, digits) ON cc.k = pg_temp.rnd(c.id, 23, 11))
INSERT INTO public.customers (customer_id, name, email, phone, country, created_at)
SELECT id, first || ' ' || last,
	lower(first || (ARRAY['.', '_', ''])[1 + pg_temp.rnd(id, 24, 3)] || last) || id || '@' ||
		(ARRAY['example.com', 'mail.example.com', 'shop.example.com'])[1 + pg_temp.rnd(id, 25, 3)],
	prefix || (2 + pg_temp.rnd(id, 26, 8)) || lpad(pg_temp.rnd(id, 27, (10 ^ (digits - 1))::bigint)::text, digits - 1, '0'),
	country,
	(($1::date - 730 + pg_temp.rnd(id, 28, 640)::int) + make_interval(secs => pg_temp.rnd(id, 29, 86400))) AT TIME ZONE 'UTC'
FROM p ORDER BY id
ON CONFLICT (customer_id) DO NOTHING`, w.today)
	return err
}

// seedEvents fills public.events: 360–440 events a day, about 1% of them
// anonymous (NULL customer_id).
func seedEvents(ctx context.Context, tx pgx.Tx, w seedWindow, _ *Summary) error {
	_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS public.events (event_id bigint PRIMARY KEY, customer_id bigint,
	event_type text, event_date date NOT NULL, event_time timestamptz NOT NULL, properties jsonb);
CREATE INDEX IF NOT EXISTS events_event_date_idx ON public.events (event_date);
COMMENT ON TABLE public.events IS 'Product analytics events from the web and mobile apps.'`)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO public.events (event_id, customer_id, event_type, event_date, event_time, properties)
SELECT e.id, CASE WHEN pg_temp.rnd(e.id, 31, 100) = 0 THEN NULL ELSE 1 + pg_temp.rnd(e.id, 32, 1000) END,
	(ARRAY['page_view','page_view','page_view','page_view','search','search','add_to_cart','add_to_cart',
		'checkout','purchase','login','logout'])[1 + pg_temp.rnd(e.id, 33, 12)],
	e.day, (e.day + make_interval(secs => pg_temp.rnd(e.id, 34, CASE WHEN e.day = $2::date THEN $3 ELSE 86400 END))) AT TIME ZONE 'UTC',
	jsonb_build_object('device', (ARRAY['web','ios','android'])[1 + pg_temp.rnd(e.id, 35, 3)],
		'session_id', pg_temp.rnd(e.id, 36, 1000000))
FROM pg_temp.day_ids($1, $2, 360, 81, 37) AS e
ON CONFLICT (event_id) DO NOTHING`, w.first, w.today, w.todaySecs)
	return err
}

// seedLegacySessions fills public.legacy_sessions, a table nobody has
// written to for a year and a half.
func seedLegacySessions(ctx context.Context, tx pgx.Tx, w seedWindow, _ *Summary) error {
	_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS public.legacy_sessions (session_id bigint PRIMARY KEY,
	customer_id bigint, started_at timestamptz);
COMMENT ON TABLE public.legacy_sessions IS 'Web sessions from the old tracking stack, superseded by public.events; slated for deprecation.'`)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO public.legacy_sessions (session_id, customer_id, started_at)
SELECT id, 1 + pg_temp.rnd(id, 41, 1000),
	(($1::date - 800 + pg_temp.rnd(id, 42, 250)::int) + make_interval(secs => pg_temp.rnd(id, 43, 86400))) AT TIME ZONE 'UTC'
FROM generate_series(1, 300) AS id
ON CONFLICT (session_id) DO NOTHING`, w.today)
	return err
}
