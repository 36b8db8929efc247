package catalog

import "testing"

// backfill: may hold a budget alone; a negative budget, or neither a role
// nor a budget, is a problem at its key.
func TestBackfillSettingsBudget(t *testing.T) {
	for _, tt := range []struct {
		name     string
		settings BackfillSettings
		want     string
	}{
		{"budget alone", BackfillSettings{Budget: 5e6}, ""},
		{"role and budget", BackfillSettings{SelectRole: "orders_reader", Budget: 5e6}, ""},
		{"negative budget", BackfillSettings{Budget: -1}, "backfill.budget"},
		{"empty", BackfillSettings{}, "backfill.select_role"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Dataset{Name: "orders", Warehouse: "wh", Table: "public.orders", Backfill: &tt.settings}
			ps := d.Validate([]string{"wh"})
			switch {
			case tt.want == "" && len(ps) != 0:
				t.Errorf("problems %v; want none", ps)
			case tt.want != "" && (len(ps) != 1 || ps[0].Path != tt.want):
				t.Errorf("problems %v; want one at %s", ps, tt.want)
			}
		})
	}
}
