package activities

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

func TestReadGrantsSparesWritersAndOwners(t *testing.T) {
	grants := []warehouse.Grant{
		{Principal: "owner", Privilege: "SELECT"}, {Principal: "owner", Privilege: "TRUNCATE"},
		{Principal: "loader", Privilege: "select"}, {Principal: "loader", Privilege: "INSERT"},
		{Principal: "analyst", Privilege: "SELECT"}, {Principal: "bi", Privilege: "SELECT", Column: "id"},
		{Principal: "analyst", Privilege: "REFERENCES"},
		{Principal: "user:ann@example.com", Privilege: "roles/bigquery.dataViewer"},
		{Principal: "user:etl@example.com", Privilege: "roles/bigquery.dataViewer"},
		{Principal: "user:etl@example.com", Privilege: "roles/bigquery.dataEditor"},
	}
	var got []string
	for _, g := range ReadGrants(grants) {
		got = append(got, g.Principal+" "+g.Privilege+" "+g.Column)
	}
	want := []string{"analyst SELECT ", "bi SELECT id", "user:ann@example.com roles/bigquery.dataViewer "}
	if !slices.Equal(got, want) {
		t.Errorf("ReadGrants = %q, want %q", got, want)
	}
}

func TestMetaDiffIgnoresTableAndOrderButNotContent(t *testing.T) {
	a := warehouse.TableMeta{Comment: "c", Labels: map[string]string{"tier": "gold"}, Grants: []warehouse.Grant{
		{Table: warehouse.TableRef{Schema: "public", Table: "t"}, Principal: "x", Privilege: "SELECT"},
		{Principal: "y", Privilege: "SELECT"},
	}}
	b := a
	b.Grants = []warehouse.Grant{{Principal: "y", Privilege: "SELECT"}, {Table: warehouse.TableRef{Schema: "dre_archive", Table: "t_1"}, Principal: "x", Privilege: "SELECT"}}
	b.Labels = map[string]string{"tier": "gold"}
	if d := MetaDiff(a, b); d != "" {
		t.Errorf("MetaDiff of the same metadata in another order = %q, want none", d)
	}
	b.Grants, b.Comment, b.PII = b.Grants[:1], "other", map[string]string{"email": "email"}
	d := MetaDiff(a, b)
	for _, w := range []string{`comment "c", want "other"`, "PII tags", "grants [x:SELECT y:SELECT], want [y:SELECT]"} {
		if !strings.Contains(d, w) {
			t.Errorf("MetaDiff = %q; want it to mention %q", d, w)
		}
	}
}

// A job history or replica dre cannot read makes the usage gate hold (Unread
// set); a missing table stays a failure, and success is no reason at all.
func TestUsageUnreadableOnlyForUnreadableSources(t *testing.T) {
	denied := &warehouse.PermissionError{Privilege: "bigquery.jobs.listAll on project p"}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"unreadable source", &warehouse.UsageUnreadableError{Source: "replica 1", Err: errors.New("connection refused")}, true},
		{"permission", denied, true},
		{"wrapped permission", fmt.Errorf("reading the usage: %w", denied), true},
		{"missing table", &warehouse.NotFoundError{Kind: "table", Name: "s.t"}, false},
		{"success", nil, false},
	}
	for _, c := range cases {
		if got := usageUnreadable(c.err); (got != "") != c.want {
			t.Errorf("%s: usageUnreadable = %q; want a reason: %v", c.name, got, c.want)
		}
	}
}
