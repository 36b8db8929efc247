package activities

import (
	"context"
	"testing"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// oneWarehouse serves a single warehouse under any name.
type oneWarehouse struct{ w warehouse.Warehouse }

func (o oneWarehouse) Warehouse(context.Context, string) (warehouse.Warehouse, error) {
	return o.w, nil
}

// noRequests stands in for Temporal: no access request is running.
type noRequests struct{}

func (noRequests) ActiveAccessGrants(context.Context) ([]ActiveGrant, error) { return nil, nil }

// On BigQuery (the bqfake stand-in) the reconciler reads each table's IAM
// policy: a member with a role that nothing explains is revoked, a
// standing member keeps theirs, and a missing table is skipped.
func TestReconcileOnBigQueryRevokesAnUnexplainedIAMMember(t *testing.T) {
	srv, client := bqfake.StartForTest(t, "dre-test", "crm", bqwh.LedgerDataset)
	srv.AddIdentities("user:ann@example.com", "group:analysts@example.com")
	ctx := t.Context()
	md := &bigquery.TableMetadata{Schema: bigquery.Schema{{Name: "id", Type: bigquery.IntegerFieldType}, {Name: "email", Type: bigquery.StringFieldType}}}
	if err := client.Dataset("crm").Table("customers").Create(ctx, md); err != nil {
		t.Fatal(err)
	}
	w, err := bqwh.Open(ctx, "dre-test", "US", srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	ref := warehouse.TableRef{Schema: "crm", Table: "customers"}
	const viewer = "roles/bigquery.dataViewer"
	for _, member := range []string{"user:ann@example.com", "group:analysts@example.com"} {
		if err := w.Grant(ctx, warehouse.Grant{Table: ref, Principal: member, Privilege: viewer}); err != nil {
			t.Fatal(err)
		}
	}

	a := &AccessReconcile{Warehouses: oneWarehouse{w}, Active: noRequests{}}
	standing := []catalog.StandingGrant{{Principal: "group:analysts@example.com", Privilege: viewer}}
	res, err := a.ReconcileReadGrants(ctx, ReconcileReadInput{Tables: []ReconcileTable{
		{Dataset: "customers", Warehouse: "lake", Table: "crm.customers", PIIColumns: []string{"email"}, Standing: standing},
		{Dataset: "gone", Warehouse: "lake", Table: "crm.gone", PIIColumns: []string{"email"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Checked != 1 || res.Grants != 2 || len(res.Orphans) != 1 || res.Orphans[0].Grant.Principal != "user:ann@example.com" {
		t.Fatalf("read %+v; want one table, two grants, ann's the orphan", res)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Dataset != "gone" {
		t.Errorf("skipped %+v; want the missing table", res.Skipped)
	}
	out, err := a.ReconcileRevoke(ctx, ReconcileRevokeInput{Orphans: res.Orphans})
	if err != nil || len(out) != 1 || out[0].Action != OrphanRevoked {
		t.Fatalf("revoke: %+v, %v; want ann's grant revoked", out, err)
	}
	left, err := w.Grants(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Principal != "group:analysts@example.com" {
		t.Errorf("left on the table: %+v; want the standing group alone", left)
	}
}
