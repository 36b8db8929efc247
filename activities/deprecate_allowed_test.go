package activities

import (
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

func TestAllowedGrantsKeepsWritersStandingAndRequestedReads(t *testing.T) {
	ds := catalog.Dataset{Name: "customers", PII: catalog.PII{Columns: map[string]catalog.PIIKind{"email": catalog.PIIEmail}},
		Access: catalog.Access{Standing: []catalog.StandingGrant{{Principal: "bi"}, {Principal: "ops", Privilege: "select", Column: "id"}}}}
	g := func(principal, privilege, column string) warehouse.Grant {
		return warehouse.Grant{Principal: principal, Privilege: privilege, Column: column}
	}
	grants := []warehouse.Grant{
		g("loader", "SELECT", ""), g("loader", "INSERT", ""), // a writer keeps its reads
		g("bi", "SELECT", "email"),  // covered by bi's table-wide standing grant
		g("ops", "SELECT", "id"),    // declared on the column
		g("ops", "SELECT", "email"), // not declared
		g("ann", "SELECT", "email"), // an active request for email
		g("ann", "SELECT", ""),      // ann asked for email only
		g("PUBLIC", "SELECT", ""),   // nothing allows it
	}
	active := []ActiveAccess{{WorkflowID: "access-request/customers/ann/1", Principal: "ann", Columns: []string{"email"}}}
	got := AllowedGrants(ds, grants, active, "")
	var withheld []string
	for _, w := range got.Withheld {
		withheld = append(withheld, w.Grant.Principal+":"+w.Grant.Column)
		if !strings.Contains(w.Why, "access.standing") {
			t.Errorf("withheld %+v without saying why", w)
		}
	}
	if want := []string{"ops:email", "ann:", "PUBLIC:"}; !slices.Equal(withheld, want) {
		t.Errorf("withheld %v; want %v", withheld, want)
	}
	if len(got.Allowed)+len(got.Withheld) != len(grants) {
		t.Errorf("allowed %d + withheld %d; want every one of the %d grants in one of them", len(got.Allowed), len(got.Withheld), len(grants))
	}
	ungoverned := catalog.Dataset{Name: "events"}
	if ungoverned.Governed() {
		t.Error("a dataset with no PII and no standing grants is governed; want it left alone")
	}
}

func TestSameGrantComparesPublicAndPrivilegesWithoutCase(t *testing.T) {
	ref := warehouse.TableRef{Schema: "public", Table: "customers"}
	a := warehouse.Grant{Table: ref, Principal: "public", Privilege: "select"}
	b := warehouse.Grant{Table: ref, Principal: "PUBLIC", Privilege: "SELECT"}
	if !SameGrant(a, b) {
		t.Error("public SELECT and PUBLIC select differ; want them the same grant")
	}
	a.Principal, b.Principal = "Alice", "alice"
	if SameGrant(a, b) {
		t.Error(`roles "Alice" and "alice" compare equal; quoted role names are case-sensitive`)
	}
}
