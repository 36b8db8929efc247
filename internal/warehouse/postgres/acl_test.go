package postgres_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

// ACLs must read, in one call, what Grants reads table by table, plus the
// owners and the superusers, and mark a missing table without failing.
func TestACLsReadManyTablesAsGrantsReadsEach(t *testing.T) {
	f := newFixture(t)
	exec(t, f.owner, fmt.Sprintf(`CREATE SCHEMA acl; CREATE TABLE acl.one (id int, email text); CREATE TABLE acl.two (id int, email text);
GRANT SELECT ON acl.one TO %[1]s; GRANT SELECT (email) ON acl.two TO %[2]s; GRANT SELECT ON acl.two TO PUBLIC`, f.a, f.b))
	refs := []warehouse.TableRef{{Schema: "acl", Table: "one"}, {Schema: "acl", Table: "gone"}, {Schema: "acl", Table: "two"}}
	acls, err := f.w.ACLs(t.Context(), refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(acls.Superusers) == 0 || slices.Contains(acls.Superusers, f.user) {
		t.Errorf("superusers %v; want the cluster's superuser and not dre's user %s", acls.Superusers, f.user)
	}
	if len(acls.Tables) != 3 || !acls.Tables[1].Missing || acls.Tables[1].Table != refs[1] {
		t.Fatalf("tables %+v; want three in the order asked, the second missing", acls.Tables)
	}
	for _, i := range []int{0, 2} {
		acl := acls.Tables[i]
		if acl.Missing || acl.Owner != f.user || acl.Table != refs[i] {
			t.Errorf("%s: owner %q, missing %v; want owner %s", refs[i], acl.Owner, acl.Missing, f.user)
		}
		each, err := f.w.Grants(t.Context(), refs[i])
		if err != nil {
			t.Fatal(err)
		}
		key := func(g warehouse.Grant) string { return g.Principal + " " + g.Privilege + " " + g.Column }
		got, want := grantKeys(acl.Grants, key), grantKeys(each, key)
		if !slices.Equal(got, want) {
			t.Errorf("%s: ACLs read\n %q\nGrants read\n %q", refs[i], got, want)
		}
	}
	for _, want := range []string{f.a + " SELECT ", "PUBLIC SELECT ", f.b + " SELECT email"} {
		found := false
		for _, acl := range acls.Tables {
			for _, g := range acl.Grants {
				found = found || g.Principal+" "+g.Privilege+" "+g.Column == want
			}
		}
		if !found {
			t.Errorf("no grant %q in %+v", want, acls.Tables)
		}
	}
}

// grantKeys renders grants as sorted strings.
func grantKeys(gs []warehouse.Grant, key func(warehouse.Grant) string) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = key(g)
	}
	slices.Sort(out)
	return out
}
