package catalog

import (
	"strings"
	"testing"
)

func TestValidationChecks(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Dataset)
		want string // a problem's path, "" for none
	}{
		{"all kinds", func(d *Dataset) {
			d.UniqueKey = []string{"order_id"}
			d.Validation = &Validation{Mode: PublishWAP, NotNull: []string{"order_id"}, Unique: true,
				AcceptedValues: map[string][]string{"status": {"new", "paid"}},
				SQL:            []SQLCheck{{Name: "positive", Select: "SELECT * FROM {{ .Table }} WHERE amount < 0"}}}
		}, ""},
		{"unknown mode", func(d *Dataset) { d.Validation = &Validation{Mode: "later"} }, "validation.mode"},
		{"unique without a key", func(d *Dataset) { d.Validation = &Validation{Unique: true} }, "validation.unique"},
		{"column needing quotes", func(d *Dataset) { d.Validation = &Validation{NotNull: []string{"order id"}} }, "validation.not_null[0]"},
		{"no values", func(d *Dataset) { d.Validation = &Validation{AcceptedValues: map[string][]string{"status": nil}} }, "validation.accepted_values.status"},
		{"sql not reading the rows", func(d *Dataset) {
			d.Validation = &Validation{SQL: []SQLCheck{{Name: "x", Select: "SELECT * FROM public.orders WHERE amount < 0"}}}
		}, "validation.sql[0].select"},
		{"sql with a function", func(d *Dataset) {
			d.Validation = &Validation{SQL: []SQLCheck{{Name: "x", Select: "SELECT * FROM {{ .Table | printf }}"}}}
		}, "validation.sql[0].select"},
	}
	for _, c := range cases {
		d := validDataset()
		c.edit(&d)
		problems := d.Validate([]string{"local"})
		var paths []string
		for _, p := range problems {
			paths = append(paths, p.Path)
		}
		if got := strings.Join(paths, ","); got != c.want {
			t.Errorf("%s: problems at %q (%v), want at %q", c.name, got, problems, c.want)
		}
	}
}

func TestPublishMode(t *testing.T) {
	d := validDataset()
	if got := d.PublishMode(); got != PublishDirect {
		t.Errorf("no checks: %s, want direct", got)
	}
	d.Validation = &Validation{NotNull: []string{"order_id"}}
	if got := d.PublishMode(); got != PublishWAP {
		t.Errorf("with a check: %s, want wap", got)
	}
	d.Validation.Mode = PublishDirect
	if got := d.PublishMode(); got != PublishDirect {
		t.Errorf("mode direct: %s, want direct", got)
	}
}

func TestExpandCheck(t *testing.T) {
	got, err := ExpandCheck("SELECT * FROM {{ .Table }} WHERE t >= {{ .From }} AND t < {{ .To }}", "dre_staged", "@from", "@to")
	if want := "SELECT * FROM dre_staged WHERE t >= @from AND t < @to"; err != nil || got != want {
		t.Errorf("ExpandCheck: %q, %v; want %q", got, err, want)
	}
}
