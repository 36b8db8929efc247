package bigquery

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// The pure helpers, whose edge cases the stand-in cannot reach.

func TestDecorator(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		kind       bigquery.TimePartitioningType
		start, end string
		want       string // "" when refused
	}{
		{bigquery.DayPartitioningType, "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "20260102"},
		{"", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "20260102"},
		{bigquery.DayPartitioningType, "2026-01-02T01:00:00+01:00", "2026-01-03T01:00:00+01:00", "20260102"},
		{bigquery.HourPartitioningType, "2026-01-02T13:00:00Z", "2026-01-02T14:00:00Z", "2026010213"},
		{bigquery.MonthPartitioningType, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "202602"},
		{bigquery.DayPartitioningType, "2026-01-02T12:00:00Z", "2026-01-03T00:00:00Z", ""},
		{bigquery.DayPartitioningType, "2026-01-02T00:00:00Z", "2026-01-04T00:00:00Z", ""},
		{bigquery.HourPartitioningType, "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", ""},
		{bigquery.MonthPartitioningType, "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z", ""},
		{"WEEK", "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z", ""},
	}
	for _, c := range cases {
		got, ok := decorator(c.kind, at(c.start), at(c.end))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("decorator(%s, %s, %s) = %q, %t; want %q", c.kind, c.start, c.end, got, ok, c.want)
		}
	}
}

func TestRewriteJobID(t *testing.T) {
	base := warehouse.Rewrite{Table: warehouse.TableRef{Schema: "shop", Table: "orders"}, RunID: "run-1", Attempt: 1}
	id := rewriteJobID("p", base, "20260102")
	if id != rewriteJobID("p", base, "20260102") {
		t.Error("the job ID of the same run, partition and attempt differs between calls")
	}
	if !regexp.MustCompile(`^dre_[0-9a-f]{40}$`).MatchString(id) {
		t.Errorf("job ID %q: want dre_ and 40 hex digits, which BigQuery accepts", id)
	}
	other := map[string]string{
		"another attempt":   rewriteJobID("p", warehouse.Rewrite{Table: base.Table, RunID: "run-1", Attempt: 2}, "20260102"),
		"another run":       rewriteJobID("p", warehouse.Rewrite{Table: base.Table, RunID: "run-2", Attempt: 1}, "20260102"),
		"another partition": rewriteJobID("p", base, "20260103"),
		"another project":   rewriteJobID("q", base, "20260102"),
		"shifted parts":     rewriteJobID("p", warehouse.Rewrite{Table: base.Table, RunID: "run-12", Attempt: 1}, "0260102"),
	}
	for name, o := range other {
		if o == id {
			t.Errorf("%s gives the same job ID", name)
		}
	}
}

func TestPermissionIn(t *testing.T) {
	o := tableOp(warehouse.TableRef{Schema: "shop", Table: "orders"}, "bigquery.tables.get")
	cases := map[string]string{
		"Access Denied: Table p:shop.orders: Permission bigquery.tables.get denied on table p:shop.orders (or it may not exist).":       "bigquery.tables.get",
		"Access Denied: Project p: User does not have bigquery.jobs.create permission in project p.":                                    "bigquery.jobs.create",
		"Access Denied: Table p:shop.orders: User does not have permission to query table p:shop.orders, or perhaps it does not exist.": "bigquery.tables.getData on shop.orders",
		"Access Denied: BigQuery BigQuery: Permission denied while getting Drive credentials.":                                          "bigquery.tables.get on shop.orders",
	}
	for message, want := range cases {
		if got := permissionIn(message, o); got != want {
			t.Errorf("permissionIn(%q) = %q, want %q", message, got, want)
		}
	}
}

func TestTranslateNotFound(t *testing.T) {
	cases := []struct {
		message    string
		o          op
		kind, name string
	}{
		{"Not found: Table p:shop.missing was not found in location US", queryOp, "table", "shop.missing"},
		{"Not found: Dataset p:nowhere", queryOp, "dataset", "nowhere"},
		{"Not found: Dataset p:nowhere", tableOp(warehouse.TableRef{Schema: "nowhere", Table: "t"}, "x"), "table", "nowhere.t"},
	}
	for _, c := range cases {
		err := notFound(c.message, c.o)
		nf, ok := err.(*warehouse.NotFoundError)
		if !ok || nf.Kind != c.kind || nf.Name != c.name {
			t.Errorf("notFound(%q) = %v, want %s %s", c.message, err, c.kind, c.name)
		}
	}
}

func TestParamValue(t *testing.T) {
	midnight := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	noon := midnight.Add(12 * time.Hour)
	cases := []struct {
		in, want any
	}{
		{midnight, "2026-01-02"},
		{midnight.In(time.FixedZone("CET", 3600)), "2026-01-02"},
		{noon, noon},
		{7, int64(7)},
		{"x", "x"},
	}
	for _, c := range cases {
		if got := paramValue(c.in); got != c.want {
			t.Errorf("paramValue(%v) = %v (%T), want %v (%T)", c.in, got, got, c.want, c.want)
		}
	}
}

func TestSampleSQL(t *testing.T) {
	cases := []struct {
		bytes int64
		want  string
	}{
		{1 << 20, "SELECT `a`, `b` FROM `p.d.t` LIMIT 5"},
		{sampleBytes * 4, "SELECT `a`, `b` FROM `p.d.t` TABLESAMPLE SYSTEM (25 PERCENT) LIMIT 5"},
		{sampleBytes * 1000, "SELECT `a`, `b` FROM `p.d.t` TABLESAMPLE SYSTEM (1 PERCENT) LIMIT 5"},
	}
	for _, c := range cases {
		if got := sampleSQL("`p.d.t`", []string{"a", "b"}, 5, c.bytes); got != c.want {
			t.Errorf("sampleSQL for %d bytes = %q, want %q", c.bytes, got, c.want)
		}
	}
}

func TestTimeoutsAreDeadlines(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&bigquery.Error{Reason: "timeout", Message: "Job execution was cancelled: Job timed out after 0.3 sec"}, true},
		{&bigquery.Error{Reason: "invalidQuery", Message: "Syntax error"}, false},
	} {
		err := translate(c.err, queryOp)
		if got := errors.Is(err, context.DeadlineExceeded); got != c.want {
			t.Errorf("translate(%v) = %v: deadline %t, want %t", c.err, err, got, c.want)
		}
	}
}
