package bigquery_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// A pipeline that copies a table on (INSERT...SELECT here; MERGE and
// CREATE TABLE AS SELECT alike, which the stand-in does not run) reads it:
// the usage gate must see it, not only SELECTs.
func TestUsageCountsPipelineStatements(t *testing.T) {
	f, ref := shop(t)
	start := time.Now().Add(-time.Second)
	copyRef := warehouse.TableRef{Schema: ref.Schema, Table: "orders_copy"}
	f.CreateTable(t, copyRef, orderCols, nil)
	f.fake.SetUser("etl@example.com")
	f.run(t, "INSERT INTO "+f.Qualified(copyRef)+" SELECT * FROM "+f.Qualified(ref), nil)
	f.run(t, "INSERT INTO "+f.Qualified(copyRef)+" SELECT * FROM "+f.Qualified(ref)+" WHERE id > 1", nil)
	u, err := f.w.Usage(ctx(t), ref, start)
	if err != nil || u.Reads != 2 || !slices.Equal(u.Readers, []string{"etl@example.com"}) || u.Unread != "" {
		t.Errorf("Usage of the source: %+v, %v; want the 2 pipeline reads by etl@example.com", u, err)
	}
	written, err := f.w.Usage(ctx(t), copyRef, start)
	if err != nil || written.Reads != 0 {
		t.Errorf("Usage of the destination: %+v, %v; want no reads: being written is not being read", written, err)
	}
}

// Usage reads every project of the usage scope, and one it cannot read
// is a UsageUnreadableError naming it, never a silent zero.
func TestUsageScopeProjectThatCannotBeReadIsAnError(t *testing.T) {
	f, ref := shop(t)
	if err := f.w.SetUsageScope([]string{"Bad Project"}, nil); err == nil {
		t.Error("SetUsageScope took an invalid project ID")
	}
	if err := f.w.SetUsageScope(nil, []string{"eu west"}); err == nil {
		t.Error("SetUsageScope took an invalid region")
	}
	if err := f.w.SetUsageScope([]string{f.project, "other-project"}, nil); err != nil {
		t.Fatal(err)
	}
	f.run(t, "SELECT count(*) FROM "+f.Qualified(ref), nil)
	_, err := f.w.Usage(ctx(t), ref, time.Now().Add(-time.Hour))
	var unreadable *warehouse.UsageUnreadableError
	if !errors.As(err, &unreadable) || unreadable.Source != "`other-project`.`region-us`.INFORMATION_SCHEMA.JOBS" {
		t.Errorf("Usage with an unreadable project: %v; want a UsageUnreadableError naming other-project's job view", err)
	}
}
