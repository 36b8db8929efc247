package postgres_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// roleFixture is a target table, a source the select role may read, and a
// secret table in the same schema that only dre's user may read.
type roleFixture struct {
	*fixture
	target, source, secret warehouse.TableRef
	role                   string
	part                   warehouse.Partition
}

func newRoleFixture(t *testing.T) *roleFixture {
	f := &roleFixture{fixture: newFixture(t)}
	f.target = f.ordersTable(t)
	f.source = f.ordersTableIn(t, warehouse.TableRef{Schema: f.target.Schema, Table: "source"})
	f.secret = f.ordersTableIn(t, warehouse.TableRef{Schema: f.target.Schema, Table: "secret"})
	f.role = fmt.Sprintf("reader_%d", roleSeq.Add(1))
	exec(t, f.admin, fmt.Sprintf("CREATE ROLE %s; GRANT %s TO %s", f.role, f.role, f.user))
	exec(t, f.owner, fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s; GRANT SELECT ON %s TO %s",
		f.target.Schema, f.role, f.Qualified(f.source), f.role))
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.part = warehouse.Partition{Column: "day", Start: day, End: day.AddDate(0, 0, 1)}
	return f
}

func (f *roleFixture) from(ref warehouse.TableRef) string {
	return " FROM " + f.Qualified(ref) + " WHERE day >= @from AND day < @to"
}

// A SELECT run as the select role reads its declared source, once per
// run and partition, on the plain, checksummed and audited paths.
func TestRewriteAsSelectRoleReadsItsSource(t *testing.T) {
	f := newRoleFixture(t)
	before, err := f.w.PartitionStats(t.Context(), f.source, f.part)
	if err != nil {
		t.Fatal(err)
	}
	sel := "SELECT id * 10, day, email" + f.from(f.source)
	for _, checksum := range []bool{false, true} {
		r := warehouse.Rewrite{Table: f.target, Partition: f.part, Select: sel, RunID: fmt.Sprintf("role-%t", checksum), Checksum: checksum, SelectRole: f.role}
		for attempt := range 2 {
			res, err := f.w.RewritePartition(t.Context(), r)
			if err != nil || res.Rows != before.Rows || res.AlreadyApplied != (attempt == 1) {
				t.Fatalf("checksum %t, attempt %d: %+v, %v; want %d rows, applied once", checksum, attempt, res, err, before.Rows)
			}
		}
	}
	var ids int64
	if err := f.admin.QueryRow(t.Context(), "SELECT sum(id) FROM "+f.Qualified(f.target)+" WHERE day = '2026-01-01'").Scan(&ids); err != nil || ids != 30 {
		t.Errorf("target ids sum %d, %v; want 30 (ids 1 and 2 times ten, written once)", ids, err)
	}
	audit := warehouse.Audit{Checks: []warehouse.Check{{Name: "unique(id)", Kind: warehouse.CheckUnique, Columns: []string{"id"}}}}
	r := warehouse.Rewrite{Table: f.target, Partition: f.part, Select: sel, RunID: "role-audited", SelectRole: f.role}
	if res, err := f.w.RewriteAudited(t.Context(), r, audit); err != nil || res.Rows != before.Rows || res.Audit == nil || !res.Audit.Passed {
		t.Errorf("audited rewrite as the role: %+v, %v; want %d rows published", res, err, before.Rows)
	}
}

// A SELECT that reads a table the role may not read fails with a
// RoleDeniedError naming the role, and the partition and ledger stay as
// they were; so does one that tries to shed the role mid-statement.
func TestRewriteAsSelectRoleCannotReadMore(t *testing.T) {
	f := newRoleFixture(t)
	before, err := f.w.PartitionStats(t.Context(), f.target, f.part)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"undeclared table": "SELECT id, day, email" + f.from(f.secret),
		"role shed by set_config": "SELECT id, day, (SELECT string_agg(x::text, ',') FROM (SELECT set_config('role', 'none', true)) AS s(x)) || " +
			"query_to_xml('SELECT email FROM " + f.Qualified(f.secret) + "', true, false, '')::text" + f.from(f.source),
	}
	for name, sel := range cases {
		r := warehouse.Rewrite{Table: f.target, Partition: f.part, Select: sel, RunID: "denied", SelectRole: f.role}
		_, err := f.w.RewritePartition(t.Context(), r)
		if name == "undeclared table" {
			var denied *warehouse.RoleDeniedError
			if !errors.As(err, &denied) || denied.Role != f.role {
				t.Errorf("%s: error %v; want a RoleDeniedError naming %s", name, err, f.role)
			}
		} else if err == nil || !strings.Contains(err.Error(), "cannot set parameter \"role\" within security-definer function") {
			t.Errorf("%s: error %v; want the role change refused", name, err)
		}
		if got, _ := f.w.PartitionStats(t.Context(), f.target, f.part); got != before {
			t.Errorf("%s: partition %+v, want it unchanged %+v", name, got, before)
		}
	}
	var ledger int
	if err := f.admin.QueryRow(t.Context(), "SELECT count(*) FROM dre_meta.backfill_ledger WHERE run_id = 'denied'").Scan(&ledger); err != nil || ledger != 0 {
		t.Errorf("ledger rows of the denied run: %d, %v; want none", ledger, err)
	}
	// Without the role, dre's user reads the secret table: the limit is the role's.
	r := warehouse.Rewrite{Table: f.target, Partition: f.part, Select: "SELECT id, day, email" + f.from(f.secret), RunID: "unlimited"}
	if _, err := f.w.RewritePartition(t.Context(), r); err != nil {
		t.Errorf("the same SELECT without a select role: %v; want it to run with dre's user's privileges", err)
	}
}
