package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/workflows"
)

// TestDescribeCheckNamesUnpublishedPartitions: the check's output carries
// the circuit breaker's line, naming every held-back partition with why
// and the backfill that redoes exactly those.
func TestDescribeCheckNamesUnpublishedPartitions(t *testing.T) {
	ds := catalog.Dataset{Name: "orders", Table: "public.orders"}
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	r := workflows.CheckResult{Status: workflows.CheckOK, Rows: 10, Unpublished: []warehouse.UnpublishedPartition{
		{Start: day, Detail: "audit failed: unique(order_id): 3 violations (e.g. (1042)); old rows 1980, new rows 2003"},
		{Start: day.AddDate(0, 0, 4), Detail: "audit failed: not_null(customer_id): 2 violations; old rows 5, new rows 6"},
	}}
	got := describeCheck(ds, r)
	want := "orders (public.orders): ok, 10 rows\n2 partitions failed validation and are unpublished: " +
		"2026-11-03 (unique(order_id): 3 violations (e.g. (1042))), 2026-11-07 (not_null(customer_id): 2 violations); " +
		"fix the source and run dre backfill start orders --partitions 2026-11-03,2026-11-07"
	if got != want {
		t.Errorf("describeCheck:\n got %q\nwant %q", got, want)
	}
	r.Unpublished = nil
	if got := describeCheck(ds, r); strings.Contains(got, "unpublished") {
		t.Errorf("describeCheck with nothing unpublished: %q", got)
	}
}

// TestCheckVerdictFailsOnUnpublishedPartitions: an ok dataset with a
// partition held back still fails the check (exit code 1), so a job
// gating on it does not read past the circuit breaker.
func TestCheckVerdictFailsOnUnpublishedPartitions(t *testing.T) {
	held := []warehouse.UnpublishedPartition{{Start: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)}}
	cases := []struct {
		r    workflows.CheckResult
		want string
	}{
		{workflows.CheckResult{Status: workflows.CheckOK}, ""},
		{workflows.CheckResult{Status: workflows.CheckOK, Unpublished: held}, "orders has 1 unpublished partition"},
		{workflows.CheckResult{Status: workflows.CheckOK, Unpublished: append(held, held...)}, "orders has 2 unpublished partitions"},
		{workflows.CheckResult{Status: workflows.CheckStale, Unpublished: held}, "orders is stale"},
	}
	for _, c := range cases {
		err := checkVerdict("orders", c.r)
		if (err == nil) != (c.want == "") || (err != nil && err.Error() != c.want) {
			t.Errorf("checkVerdict(%s, %d unpublished) = %v; want %q", c.r.Status, len(c.r.Unpublished), err, c.want)
		}
	}
}
