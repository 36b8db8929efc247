package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// lakeWarehouses serves one BigQuery warehouse under any name.
type lakeWarehouses struct{ w warehouse.Warehouse }

func (l lakeWarehouses) Warehouse(context.Context, string) (warehouse.Warehouse, error) {
	return l.w, nil
}

const annMember = "user:ann@example.com"

// lakeCustomers starts the BigQuery stand-in with crm.customers, whose
// email column carries a policy tag, and opens the adapter on it.
func lakeCustomers(t *testing.T) *bqwh.Warehouse {
	t.Helper()
	const tag = "projects/dre-test/locations/us/taxonomies/7/policyTags/email"
	srv, client := bqfake.StartForTest(t, "dre-test", "crm", bqwh.LedgerDataset)
	srv.AddIdentities(annMember)
	srv.AddPolicyTag(tag)
	md := &bigquery.TableMetadata{Schema: bigquery.Schema{
		{Name: "id", Type: bigquery.IntegerFieldType},
		{Name: "email", Type: bigquery.StringFieldType, PolicyTags: &bigquery.PolicyTagList{Names: []string{tag}}},
	}}
	if err := client.Dataset("crm").Table("customers").Create(t.Context(), md); err != nil {
		t.Fatal(err)
	}
	w, err := bqwh.Open(t.Context(), "dre-test", "US", srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

func lakeDataset() catalog.Dataset {
	ds := customersDataset()
	ds.Warehouse, ds.Table = "lake", "crm.customers"
	return ds
}

// annHolds lists what ann holds on crm.customers, read from IAM:
// "role" on the table, "role column" on a column's policy tag.
func annHolds(t *testing.T, w *bqwh.Warehouse) []string {
	t.Helper()
	grants, err := w.AccessGrants(context.Background(), warehouse.TableRef{Schema: "crm", Table: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range grants {
		if g.Principal == annMember {
			out = append(out, g.Privilege+" "+g.Column)
		}
	}
	slices.Sort(out)
	return out
}

// An access request on BigQuery gives the requester's member dataViewer
// on the table, or fine-grained reader on the policy tag of the columns
// asked for, and takes it away at expiry, as IAM read back shows. A
// member who held dataViewer before keeps it.
func TestAccessRequestOnBigQueryGrantsAndExpires(t *testing.T) {
	const viewer, reader = "roles/bigquery.dataViewer ", "roles/datacatalog.categoryFineGrainedReader email"
	cases := []struct {
		name     string
		columns  []string
		standing bool
		during   []string
		after    []string
	}{
		{name: "table", during: []string{viewer}},
		{name: "columns", columns: []string{"email"}, during: []string{reader}},
		{name: "standing", standing: true, during: []string{viewer}, after: []string{viewer}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := lakeCustomers(t)
			if c.standing {
				g := warehouse.Grant{Table: warehouse.TableRef{Schema: "crm", Table: "customers"}, Principal: annMember, Privilege: "roles/bigquery.dataViewer"}
				if err := w.Grant(t.Context(), g); err != nil {
					t.Fatal(err)
				}
			}
			before := annHolds(t, w)
			h := newAccessHarnessFor(t, lakeDataset())
			h.env.RegisterActivity(&activities.Access{Warehouses: lakeWarehouses{w}})
			h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
			var during []string
			h.env.RegisterDelayedCallback(func() { during = annHolds(t, w) }, 2*time.Hour)
			in := AccessRequestInput{Dataset: lakeDataset(), Requester: "UALICE", Principal: annMember, Columns: c.columns,
				Duration: 4 * time.Hour, Reason: "refund ticket 4711"}
			st := h.runRequest(in)
			after := annHolds(t, w)
			if st.Status != AccessExpired || !slices.Equal(during, c.during) || !slices.Equal(after, c.after) {
				t.Fatalf("state %+v; ann held %q before, %q during, %q after; want expired, %q during, %q after",
					st, before, during, after, c.during, c.after)
			}
		})
	}
}

// A review of a BigQuery PII table lists ann's dataViewer on the table
// and her READER entry on its dataset, not the dataset's owners or the
// project's groups, and revokes both by default at the deadline, as IAM
// read back shows.
func TestAccessReviewOnBigQueryRevokesTableAndDatasetMembers(t *testing.T) {
	w := lakeCustomers(t)
	ref := warehouse.TableRef{Schema: "crm", Table: "customers"}
	for _, g := range []warehouse.Grant{
		{Table: ref, Principal: annMember, Privilege: "roles/bigquery.dataViewer"},
		{Table: ref, Principal: annMember, Privilege: "READER", OnDataset: true},
	} {
		if err := w.Grant(t.Context(), g); err != nil {
			t.Fatal(err)
		}
	}
	h := newAccessHarnessFor(t, lakeDataset())
	h.env.RegisterActivity(&activities.Access{Warehouses: lakeWarehouses{w}})
	h.env.ExecuteWorkflow(AccessReview, reviewInput(lakeDataset()))
	var res AccessReviewResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range res.Items {
		ids = append(ids, it.ID+" revoked="+map[bool]string{true: "yes", false: "no"}[it.Revoked])
	}
	slices.Sort(ids)
	want := []string{"customers/user:ann@example.com/dataViewer revoked=yes", "customers/user:ann@example.com/dataset-dataViewer revoked=yes"}
	if !slices.Equal(ids, want) {
		t.Fatalf("review items %q; want %q", ids, want)
	}
	grants, err := w.AccessGrants(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		if g.Principal == annMember {
			t.Errorf("after the review ann still holds %+v", g)
		}
	}
}
