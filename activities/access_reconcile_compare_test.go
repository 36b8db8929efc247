package activities

import (
	"slices"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

func TestFindOrphansKeepsWhatIsExplainedAndNothingElse(t *testing.T) {
	ref := warehouse.TableRef{Schema: "public", Table: "customers"}
	g := func(principal, privilege, column string) warehouse.Grant {
		return warehouse.Grant{Table: ref, Principal: principal, Privilege: privilege, Column: column}
	}
	table := ReconcileTable{
		Dataset: "customers", Warehouse: "wh", Table: "public.customers", PIIColumns: []string{"email", "phone"},
		Standing: []catalog.StandingGrant{{Principal: "bi_reader", Privilege: "select"}, {Principal: "group:analysts@example.com", Privilege: "roles/bigquery.dataViewer"}},
		Active:   []ActiveGrant{{Dataset: "customers", Principal: "alice"}, {Dataset: "customers", Principal: "bob", Columns: []string{"email"}}},
	}
	acl := warehouse.TableACL{Table: ref, Owner: "etl", Grants: []warehouse.Grant{
		g("etl", "SELECT", ""),                                           // the owner
		g("postgres", "SELECT", ""),                                      // a superuser
		g("bi_reader", "SELECT", ""),                                     // standing, privilege in another case
		g("bi_reader", "SELECT", "phone"),                                // standing at table level covers its columns
		g("alice", "SELECT", ""),                                         // a running request for the table
		g("alice", "SELECT", "email"),                                    // ...covers its columns too
		g("bob", "SELECT", "email"),                                      // a running request for that column
		g("loader", "INSERT", ""),                                        // writes reveal nothing: not reconciled
		g("bi_reader", "UPDATE", "email"),                                // nor UPDATE, even on a PII column
		g("mallory", "SELECT", "id"),                                     // a column without PII: not reconciled
		g("GROUP:Analysts@example.com", "roles/bigquery.dataViewer", ""), // IAM members ignore case
		// Orphans:
		g("bob", "SELECT", ""),                                     // bob asked for email only, not the table
		g("bob", "SELECT", "phone"),                                // nor phone
		g("PUBLIC", "SELECT", ""),                                  // everyone
		g("Alice", "SELECT", ""),                                   // PostgreSQL role names are case-sensitive
		g("user:eve@example.com", "roles/bigquery.dataEditor", ""), // every IAM role reads
	}}
	got := findOrphans(table, acl, []string{"postgres"})
	var names []string
	for _, o := range got {
		if o.Dataset != "customers" || o.Warehouse != "wh" || o.ReportOnly {
			t.Errorf("orphan %+v lost its dataset, warehouse or action", o)
		}
		names = append(names, o.Grant.Principal+" "+o.Grant.Privilege+" "+o.Grant.Column)
	}
	want := []string{"bob SELECT ", "bob SELECT phone", "PUBLIC SELECT ", "Alice SELECT ", "user:eve@example.com roles/bigquery.dataEditor "}
	if !slices.Equal(names, want) {
		t.Errorf("orphans\n got %q\nwant %q", names, want)
	}

	table.ReportOnly = true
	for _, o := range findOrphans(table, acl, nil) {
		if !o.ReportOnly {
			t.Errorf("orphan %+v of a report-only dataset would be revoked", o)
		}
	}
	if n := len(findOrphans(table, acl, nil)); n != len(want)+1 {
		t.Errorf("without superusers %d orphans; want %d (postgres's SELECT joins them)", n, len(want)+1)
	}
}

func TestExplainedByActiveMatchesDatasetPrincipalAndColumns(t *testing.T) {
	o := Orphan{Dataset: "customers", Grant: warehouse.Grant{Principal: "bob", Privilege: "SELECT", Column: "email"}}
	cases := []struct {
		name   string
		active ActiveGrant
		want   bool
	}{
		{"table request", ActiveGrant{Dataset: "customers", Principal: "bob"}, true},
		{"column request", ActiveGrant{Dataset: "customers", Principal: "bob", Columns: []string{"email"}}, true},
		{"other column", ActiveGrant{Dataset: "customers", Principal: "bob", Columns: []string{"phone"}}, false},
		{"other dataset", ActiveGrant{Dataset: "orders", Principal: "bob"}, false},
		{"other principal", ActiveGrant{Dataset: "customers", Principal: "alice"}, false},
	}
	for _, c := range cases {
		if got := explainedByActive(o, []ActiveGrant{c.active}); got != c.want {
			t.Errorf("%s: explained %v; want %v", c.name, got, c.want)
		}
	}
}
