package activities

import (
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
