package bigquery_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"google.golang.org/api/option"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
	"github.com/dre-dev/dre/internal/warehouse/warehousetest"
)

// testProject is the stand-in's project.
const testProject = "dre-test-project"

// fixture is warehousetest's Fixture for BigQuery: the adapter under test,
// and a plain client for what the contract does not cover (datasets,
// tables with rows). Against the stand-in, fake is set.
type fixture struct {
	w        *bqwh.Warehouse
	client   *bigquery.Client
	project  string
	location string
	fake     *bqfake.Server
	prefix   string // of the datasets Schema creates
	seq      atomic.Int64
	a, b     string
}

// newFakeFixture starts a stand-in with the dre_meta dataset and opens the
// adapter on it.
func newFakeFixture(t testing.TB) *fixture {
	t.Helper()
	srv, err := bqfake.Start(testProject)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.CreateDataset(bqwh.LedgerDataset)
	srv.AddIdentities("user:ann@example.com", "group:analysts@example.com")
	f := &fixture{project: testProject, location: "US", fake: srv, prefix: "ds",
		a: "user:ann@example.com", b: "group:analysts@example.com"}
	f.open(t, policyTags(testProject), srv.ClientOptions()...)
	return f
}

// open opens the adapter and the plain client with the same options.
func (f *fixture) open(t testing.TB, tags map[string]string, opts ...option.ClientOption) {
	t.Helper()
	w, err := bqwh.Open(t.Context(), f.project, f.location, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(w.Close)
	if err := w.SetPIIPolicyTags(tags); err != nil {
		t.Fatal(err)
	}
	client, err := bigquery.NewClient(t.Context(), f.project, opts...)
	if err != nil {
		t.Fatal(err)
	}
	client.Location = f.location
	t.Cleanup(func() { _ = client.Close() })
	f.w, f.client = w, client
}

// policyTags names one made-up policy tag per PII kind, as a taxonomy in
// Data Catalog would.
func policyTags(project string) map[string]string {
	tags := map[string]string{}
	for _, kind := range catalog.PIIKinds() {
		tags[fmt.Sprintf("projects/%s/locations/us/taxonomies/1/policyTags/%s", project, kind)] = string(kind)
	}
	return tags
}

func (f *fixture) Warehouse() warehouse.Warehouse { return f.w }

// Schema creates a dataset: in the stand-in by decree, in BigQuery for
// real, deleted with its tables when the test ends.
func (f *fixture) Schema(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("%s_%d", f.prefix, f.seq.Add(1))
	if f.fake != nil {
		f.fake.CreateDataset(name)
		return name
	}
	ds := f.client.DatasetInProject(f.project, name)
	if err := ds.Create(t.Context(), &bigquery.DatasetMetadata{Location: f.location}); err != nil {
		t.Fatalf("creating dataset %s: %v", name, err)
	}
	t.Cleanup(func() { _ = ds.DeleteWithContents(context.Background()) })
	return name
}

// bqTypes are the BigQuery types of the suite's portable ones, as the
// client library names them.
var bqTypes = map[warehousetest.ColumnType]bigquery.FieldType{
	warehousetest.Int64:     bigquery.IntegerFieldType,
	warehousetest.String:    bigquery.StringFieldType,
	warehousetest.Float64:   bigquery.FloatFieldType,
	warehousetest.Bool:      bigquery.BooleanFieldType,
	warehousetest.Timestamp: bigquery.TimestampFieldType,
	warehousetest.Date:      bigquery.DateFieldType,
}

// CreateTable creates the table partitioned by day on its first DATE
// column (else its first TIMESTAMP): RewritePartition writes BigQuery
// partitions, so the suite's tables must have them. Rows go in with one
// INSERT statement, which unlike streaming inserts is visible at once.
func (f *fixture) CreateTable(t testing.TB, ref warehouse.TableRef, cols []warehousetest.ColumnSpec, rows [][]any) {
	t.Helper()
	md := &bigquery.TableMetadata{TimePartitioning: dayPartitioning(cols)}
	for _, c := range cols {
		md.Schema = append(md.Schema, &bigquery.FieldSchema{Name: c.Name, Type: bqTypes[c.Type], Required: !c.Nullable})
	}
	if err := f.client.DatasetInProject(f.project, ref.Schema).Table(ref.Table).Create(t.Context(), md); err != nil {
		t.Fatalf("creating %s: %v", ref, err)
	}
	if len(rows) > 0 {
		f.insert(t, ref, cols, rows)
	}
}

func dayPartitioning(cols []warehousetest.ColumnSpec) *bigquery.TimePartitioning {
	for _, want := range []warehousetest.ColumnType{warehousetest.Date, warehousetest.Timestamp} {
		for _, c := range cols {
			if c.Type == want {
				return &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: c.Name}
			}
		}
	}
	return nil
}

// insert loads rows with one INSERT ... VALUES statement.
func (f *fixture) insert(t testing.TB, ref warehouse.TableRef, cols []warehousetest.ColumnSpec, rows [][]any) {
	t.Helper()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	var tuples []string
	var params []bigquery.QueryParameter
	for r, row := range rows {
		marks := make([]string, len(cols))
		for c, v := range row {
			name := fmt.Sprintf("r%d_%d", r, c)
			marks[c] = "@" + name
			params = append(params, bigquery.QueryParameter{Name: name, Value: typedValue(cols[c].Type, v)})
		}
		tuples = append(tuples, "("+strings.Join(marks, ", ")+")")
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", f.Qualified(ref), strings.Join(names, ", "), strings.Join(tuples, ", "))
	f.run(t, sql, params)
}

// typedValue gives a row value the parameter type of its column; a nil
// becomes that type's NULL, since BigQuery parameters are typed.
func typedValue(c warehousetest.ColumnType, v any) any {
	if v == nil {
		return map[warehousetest.ColumnType]any{
			warehousetest.Int64: bigquery.NullInt64{}, warehousetest.String: bigquery.NullString{},
			warehousetest.Float64: bigquery.NullFloat64{}, warehousetest.Bool: bigquery.NullBool{},
			warehousetest.Timestamp: bigquery.NullTimestamp{}, warehousetest.Date: bigquery.NullDate{},
		}[c]
	}
	if c == warehousetest.Date {
		return civil.DateOf(v.(time.Time).UTC())
	}
	return v
}

// run runs a statement as a job with the plain client and waits for it.
func (f *fixture) run(t testing.TB, sql string, params []bigquery.QueryParameter) {
	t.Helper()
	q := f.client.Query(sql)
	q.Parameters = params
	job, err := q.Run(t.Context())
	if err == nil {
		var status *bigquery.JobStatus
		if status, err = job.Wait(t.Context()); err == nil {
			err = status.Err()
		}
	}
	if err != nil {
		t.Fatalf("%.120s: %v", sql, err)
	}
}

func (f *fixture) Qualified(ref warehouse.TableRef) string {
	return fmt.Sprintf("`%s.%s.%s`", f.project, ref.Schema, ref.Table)
}

// TypeName is how Describe reports the type: GoogleSQL's names.
func (f *fixture) TypeName(c warehousetest.ColumnType) string {
	return map[warehousetest.ColumnType]string{
		warehousetest.Int64: "INT64", warehousetest.String: "STRING", warehousetest.Float64: "FLOAT64",
		warehousetest.Bool: "BOOL", warehousetest.Timestamp: "TIMESTAMP", warehousetest.Date: "DATE",
	}[c]
}

func (f *fixture) Principals() (a, b string) { return f.a, f.b }

// Privileges: an IAM role on the table; BigQuery has no column grants
// outside Data Catalog policy tags.
func (f *fixture) Privileges() (table, column string) { return "roles/bigquery.dataViewer", "" }
