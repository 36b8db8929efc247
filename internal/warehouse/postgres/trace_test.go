package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// traced renders a trace as "name<-sources" or "name?" per column.
func traced(cols []warehouse.OutputColumn) string {
	var out []string
	for _, c := range cols {
		if c.Untraced != "" {
			out = append(out, c.Name+"?")
			continue
		}
		var srcs []string
		for _, s := range c.Sources {
			srcs = append(srcs, s.Table.Table+"."+s.Column)
		}
		slices.Sort(srcs)
		out = append(out, c.Name+"<-"+strings.Join(srcs, "+"))
	}
	return strings.Join(out, " ")
}

// The planner's account of a SELECT names the table columns behind each
// result column through joins, expressions, aggregates and inlined CTEs,
// and marks what it cannot see into (a UNION, a scalar subquery, a
// subquery kept apart, VALUES) as untraced rather than guessing.
func TestTraceSelect(t *testing.T) {
	f := newRoleFixture(t)
	src, sec := f.Qualified(f.source), f.Qualified(f.secret)
	where := " WHERE s.day >= @from AND s.day < @to"
	cases := []struct{ sel, want string }{
		{"SELECT s.id, s.day, lower(s.email) AS mail FROM " + src + " s" + where, "id<-source.id day<-source.day mail<-source.email"},
		{"SELECT s.id, s.day, x.email || s.email::varchar(20) AS both FROM " + src + " s JOIN " + sec + " x USING (id)" + where, "id<-source.id day<-source.day both<-secret.email+source.email"},
		{"SELECT count(*) AS n, max(s.day) AS day, string_agg(s.email, ',') AS mails FROM " + src + " s" + where, "n<- day<-source.day mails<-source.email"},
		{"WITH c AS (SELECT id, day, email FROM " + sec + ") SELECT s.id, c.day, c.email FROM " + src + " s JOIN c USING (id)" + where, "id<-source.id day<-secret.day email<-secret.email"},
		{"SELECT s.id, s.day, 'x' AS e FROM " + src + " s" + where + " UNION ALL SELECT id, day, email FROM " + sec, "id? day? e?"},
		{"SELECT s.id, s.day, (SELECT max(email) FROM " + sec + ") AS e FROM " + src + " s" + where, "id<-source.id day<-source.day e?"},
		{"SELECT q.id, q.day, q.email FROM (SELECT * FROM " + sec + " LIMIT 5) q", "id<-secret.id day<-secret.day email<-secret.email"},
		{"SELECT q.id + 1 AS id, q.day, q.email FROM (SELECT * FROM " + sec + " LIMIT 5) q JOIN " + src + " s USING (id)", "id<-secret.id day<-secret.day email<-secret.email"},
		{"SELECT v.id, v.day, 'x' AS e FROM (VALUES (1, date '2026-01-01'), (2, date '2026-01-02')) AS v(id, day)", "id? day? e<-"},
		{"SELECT g.i AS id, s.day, s.email FROM generate_series(1, 2) AS g(i), " + src + " s" + where, "id? day<-source.day email<-source.email"},
		{"SELECT s, s.id FROM " + src + " s" + where, "s<-source.* id<-source.id"},
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range cases {
		cols, err := f.w.TraceSelect(t.Context(), warehouse.Query{SQL: c.sel, Params: map[string]any{"from": day, "to": day.AddDate(0, 0, 1)}})
		if got := traced(cols); err != nil || got != c.want {
			t.Errorf("%s:\n got  %s, %v\n want %s", c.sel, got, err, c.want)
		}
	}
}

// A role fit for backfill SELECTs reads its sources and is limited; the
// check names each problem with its fix.
func TestCheckSelectRole(t *testing.T) {
	f := newRoleFixture(t)
	check, err := f.w.CheckSelectRole(t.Context(), f.role, []warehouse.TableRef{f.source})
	if err != nil || len(check.Problems) != 0 || len(check.Undeclared) != 0 {
		t.Errorf("fit role: %+v, %v; want no problems, nothing undeclared", check, err)
	}
	check, err = f.w.CheckSelectRole(t.Context(), f.role, []warehouse.TableRef{f.source, f.secret})
	if err != nil || len(check.Problems) != 1 || !strings.Contains(check.Problems[0], "GRANT SELECT ON "+f.secret.String()+" TO "+f.role) {
		t.Errorf("role not granted a declared source: %+v, %v; want the grant to add", check, err)
	}
	exec(t, f.owner, fmt.Sprintf("GRANT SELECT ON %s TO %s", f.Qualified(f.target), f.role))
	if check, _ = f.w.CheckSelectRole(t.Context(), f.role, []warehouse.TableRef{f.source}); !slices.Equal(check.Undeclared, []string{f.target.String()}) {
		t.Errorf("undeclared reads %v; want %s", check.Undeclared, f.target)
	}
	broad, super := fmt.Sprintf("broad_%d", roleSeq.Add(1)), fmt.Sprintf("super_%d", roleSeq.Add(1))
	exec(t, f.admin, fmt.Sprintf("CREATE ROLE %s BYPASSRLS; GRANT pg_read_all_data TO %s; CREATE ROLE %s SUPERUSER", broad, broad, super))
	check, err = f.w.CheckSelectRole(t.Context(), broad, nil)
	if err != nil || len(check.Problems) != 3 || !strings.Contains(check.Problems[1], "REVOKE pg_read_all_data FROM "+broad) {
		t.Errorf("a role reading all data: %q, %v; want RLS bypass, pg_read_all_data and not takeable", check.Problems, err)
	}
	if check, _ = f.w.CheckSelectRole(t.Context(), super, nil); len(check.Problems) != 2 || !strings.Contains(check.Problems[0], "superuser") {
		t.Errorf("a superuser: %q; want superuser and not takeable", check.Problems)
	}
	if check, _ = f.w.CheckSelectRole(t.Context(), "no_such_role", nil); len(check.Problems) != 1 || !strings.Contains(check.Problems[0], "does not exist") {
		t.Errorf("missing role: %q; want it named as missing", check.Problems)
	}
}

// With PlanAs, estimates and traces plan as the select role, so a SELECT
// the role may not read cannot even be planned; the functions planning
// evaluates never run with dre's privileges. Without it, dre's user plans.
func TestPlanAsSelectRole(t *testing.T) {
	f := newRoleFixture(t)
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bounds := map[string]any{"from": day, "to": day.AddDate(0, 0, 1)}
	secret := warehouse.Query{SQL: "SELECT id, day, email" + f.from(f.secret), Params: bounds}
	source := warehouse.Query{SQL: "SELECT id, day, email" + f.from(f.source), Params: bounds, PlanAs: f.role}
	if _, err := f.w.EstimateCost(t.Context(), secret); err != nil {
		t.Fatalf("estimate as dre's user: %v", err)
	}
	if cost, err := f.w.EstimateCost(t.Context(), source); err != nil || cost.Units <= 0 {
		t.Errorf("estimate of the source as the role: %+v, %v; want a cost", cost, err)
	}
	if cols, err := f.w.TraceSelect(t.Context(), source); err != nil || traced(cols) != "id<-source.id day<-source.day email<-source.email" {
		t.Errorf("trace of the source as the role: %s, %v", traced(cols), err)
	}
	secret.PlanAs = f.role
	if _, err := f.w.EstimateCost(t.Context(), secret); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("estimate of the secret table as the role: %v; want permission denied", err)
	}
	if _, err := f.w.TraceSelect(t.Context(), secret); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("trace of the secret table as the role: %v; want permission denied", err)
	}
}
