package catalog

import (
	"slices"
	"testing"
)

func TestAccessValidationNamesEachBadKey(t *testing.T) {
	d := Dataset{Name: "customers", Warehouse: "wh", Table: "public.customers", Access: Access{
		Orphans:  "ignore",
		Standing: []StandingGrant{{Principal: "bi", Privilege: "SELECT"}, {Privilege: "SELECT"}, {Principal: "etl", Privilege: "SELECT; DROP"}},
	}}
	var paths []string
	for _, p := range d.Validate([]string{"wh"}) {
		paths = append(paths, p.Path)
	}
	want := []string{"access.orphans", "access.standing[1].principal", "access.standing[2].privilege"}
	if !slices.Equal(paths, want) {
		t.Errorf("problems at %q; want %q", paths, want)
	}
	d.Access = Access{Orphans: OrphansReport, Standing: []StandingGrant{{Principal: "bi", Privilege: "SELECT"}}}
	if ps := d.Validate([]string{"wh"}); len(ps) != 0 || !d.Access.ReportsOrphans() {
		t.Errorf("a valid access block gave %v", ps)
	}
}
