package bigquery_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
)

// Metadata, grants history and usage, against the stand-in.

// hook runs before once, just before the first PATCH goes out.
type hook struct {
	base   http.RoundTripper
	once   sync.Once
	before func()
}

func (h *hook) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPatch {
		h.once.Do(h.before)
	}
	return h.base.RoundTrip(r)
}

func TestUpdateRetriesAfterAConcurrentChange(t *testing.T) {
	f, ref := shop(t)
	h := &hook{base: http.DefaultTransport, before: func() {
		u := bigquery.TableMetadataToUpdate{}
		u.SetLabel("owner", "someone-else")
		if _, err := f.client.Dataset(ref.Schema).Table(ref.Table).Update(context.Background(), u, ""); err != nil {
			t.Error(err)
		}
	}}
	w, err := bqwh.Open(ctx(t), testProject, "US", option.WithEndpoint(f.fake.URL()), option.WithHTTPClient(&http.Client{Transport: h}))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mark := len(f.fake.Requests())
	if err := w.SetComment(ctx(t), ref, "orders"); err != nil {
		t.Fatalf("SetComment: %v", err)
	}
	info, err := f.w.Describe(ctx(t), ref)
	if err != nil || info.Comment != "orders" || info.Labels["owner"] != "someone-else" {
		t.Errorf("Describe: %+v, %v; want the comment and the concurrent label", info, err)
	}
	var statuses []int
	for _, r := range since(f.fake, mark) {
		if r.Method == http.MethodPatch {
			statuses = append(statuses, r.Status)
		}
	}
	if !slices.Equal(statuses, []int{http.StatusOK, http.StatusPreconditionFailed, http.StatusOK}) {
		t.Errorf("PATCH statuses %v: want the concurrent one, a 412 for ours, then ours again", statuses)
	}
}

func TestUsageCountsReadersButNotDre(t *testing.T) {
	f, ref := shop(t)
	start := time.Now().Add(-time.Second)
	count := "SELECT count(*) FROM " + f.Qualified(ref)
	f.fake.SetUser("alice@example.com")
	f.run(t, count, nil)
	f.run(t, count, nil)
	f.fake.SetUser("bob@example.com")
	if _, err := f.w.Query(ctx(t), warehouse.Query{SQL: count}); err != nil {
		t.Fatal(err)
	}
	f.fake.SetUser("dre@example.com")
	if _, err := f.w.Sample(ctx(t), ref, []string{"email"}, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.ProbeTable(ctx(t), ref, "created_at"); err != nil {
		t.Fatal(err)
	}
	u, err := f.w.Usage(ctx(t), ref, start)
	if err != nil || u.Reads != 3 || !slices.Equal(u.Readers, []string{"alice@example.com", "bob@example.com"}) || !u.Exact || u.LastRead == nil {
		t.Errorf("Usage: %+v, %v; want 3 exact reads by alice and bob, with a last read", u, err)
	}
	later, err := f.w.Usage(ctx(t), ref, time.Now().Add(time.Hour))
	if err != nil || later.Reads != 0 || later.LastRead != nil {
		t.Errorf("Usage from the future: %+v, %v; want none", later, err)
	}
}

func TestRestorePutsBackPolicyTagsDreDoesNotKnow(t *testing.T) {
	f, ref := shop(t)
	const secret = "projects/dre-test-project/locations/us/taxonomies/9/policyTags/secret"
	table := f.client.Dataset(ref.Schema).Table(ref.Table)
	md, err := table.Metadata(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	md.Schema[2].PolicyTags = &bigquery.PolicyTagList{Names: []string{secret}}
	if _, err := table.Update(ctx(t), bigquery.TableMetadataToUpdate{Schema: md.Schema}, md.ETag); err != nil {
		t.Fatal(err)
	}
	snap := warehouse.TableRef{Schema: f.Schema(t), Table: "orders_snap"}
	for _, step := range []func() error{
		func() error { return f.w.Snapshot(ctx(t), ref, snap) },
		func() error { return f.w.Snapshot(ctx(t), ref, snap) }, // a retry
		func() error { return f.w.Drop(ctx(t), ref) },
		func() error { return f.w.Restore(ctx(t), snap, ref, warehouse.TableMeta{}) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := table.Metadata(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if tags := got.Schema[2].PolicyTags; tags == nil || !slices.Equal(tags.Names, []string{secret}) || got.NumRows != 9 {
		t.Errorf("restored table: %d rows, email tags %+v; want 9 rows and %s", got.NumRows, tags, secret)
	}
}

func TestDescribeReportsBigQueryMetadata(t *testing.T) {
	f, ref := shop(t)
	if err := f.w.TagPII(ctx(t), ref, "email", "email"); err != nil {
		t.Fatal(err)
	}
	info, err := f.w.Describe(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	p := info.Partitioning
	if p == nil || *p != (warehouse.Partitioning{Column: "day", Granularity: "day"}) {
		t.Errorf("Partitioning = %+v, want day by day", p)
	}
	if info.Rows != 9 || info.Bytes <= 0 || time.Since(info.LastModified) > time.Minute {
		t.Errorf("Rows %d, Bytes %d, LastModified %s: want 9 rows, some bytes, modified just now", info.Rows, info.Bytes, info.LastModified)
	}
	if info.Columns[2].PII != "email" || info.Columns[2].Type != "STRING" || !info.Columns[2].Nullable {
		t.Errorf("email column: %+v, want a nullable STRING tagged email", info.Columns[2])
	}
}

func TestSetPIIPolicyTagsRefusesAmbiguity(t *testing.T) {
	f, _ := shop(t)
	for name, tags := range map[string]map[string]string{
		"two tags for one kind": {"projects/p/locations/us/taxonomies/1/policyTags/1": "email", "projects/p/locations/us/taxonomies/1/policyTags/2": "email"},
		"an empty kind":         {"projects/p/locations/us/taxonomies/1/policyTags/1": ""},
	} {
		if err := f.w.SetPIIPolicyTags(tags); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestProbeTable(t *testing.T) {
	f, ref := shop(t)
	cases := []struct {
		ref       warehouse.TableRef
		freshness string
		want      warehouse.TableProbe
	}{
		{ref, "created_at", warehouse.TableProbe{Exists: true, Rows: 9}},
		{ref, "day", warehouse.TableProbe{Exists: true, Rows: 9}},
		{ref, "", warehouse.TableProbe{Exists: true, Rows: 9}},
		{warehouse.TableRef{Schema: ref.Schema, Table: "missing"}, "created_at", warehouse.TableProbe{}},
	}
	latest := map[string]time.Time{"created_at": jan(3).Add(time.Hour), "day": jan(3)}
	for _, c := range cases {
		got, err := f.w.ProbeTable(ctx(t), c.ref, c.freshness)
		wantLatest, hasLatest := latest[c.freshness]
		hasLatest = hasLatest && c.want.Exists
		if err != nil || got.Exists != c.want.Exists || got.Rows != c.want.Rows ||
			(got.Latest != nil) != hasLatest || (hasLatest && !got.Latest.Equal(wantLatest)) {
			t.Errorf("ProbeTable(%s, %q) = %+v, %v; want %+v, latest %v", c.ref, c.freshness, got, err, c.want, wantLatest)
		}
	}
}
