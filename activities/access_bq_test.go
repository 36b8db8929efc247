package activities

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"cloud.google.com/go/bigquery"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// emailTag is the policy tag on crm.customers.email in bqAccessSetup.
const emailTag = "projects/dre-test/locations/us/taxonomies/7/policyTags/email"

// bqAccessSetup starts the BigQuery stand-in with crm.customers (id, and
// email under emailTag) and opens the adapter on it.
func bqAccessSetup(t *testing.T) (*bqfake.Server, *bigquery.Client, *bqwh.Warehouse) {
	t.Helper()
	srv, client := bqfake.StartForTest(t, "dre-test", "crm", bqwh.LedgerDataset)
	srv.AddIdentities("user:ann@example.com", "group:analysts@example.com", "user:bo@example.com")
	srv.AddPolicyTag(emailTag)
	md := &bigquery.TableMetadata{Schema: bigquery.Schema{
		{Name: "id", Type: bigquery.IntegerFieldType},
		{Name: "email", Type: bigquery.StringFieldType, PolicyTags: &bigquery.PolicyTagList{Names: []string{emailTag}}},
	}}
	if err := client.Dataset("crm").Table("customers").Create(t.Context(), md); err != nil {
		t.Fatal(err)
	}
	w, err := bqwh.Open(t.Context(), "dre-test", "US", srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return srv, client, w
}

// On BigQuery a review lists the IAM members of a PII table, of its
// dataset and of its PII columns' policy tags (but not the dataset's
// owners or the project's groups), and each revocation takes away the
// grant it names, verified by reading IAM back.
func TestReviewOnBigQueryListsAndRevokesEachKindOfGrant(t *testing.T) {
	_, client, w := bqAccessSetup(t)
	ctx := t.Context()
	ref := warehouse.TableRef{Schema: "crm", Table: "customers"}
	want := []warehouse.Grant{
		{Table: ref, Principal: "user:ann@example.com", Privilege: "roles/bigquery.dataViewer"},
		{Table: ref, Principal: "group:analysts@example.com", Privilege: "READER", OnDataset: true},
		{Table: ref, Principal: "user:bo@example.com", Privilege: bqwh.FineGrainedReaderRole, Column: "email"},
	}
	for _, g := range want {
		if err := w.Grant(ctx, g); err != nil {
			t.Fatalf("granting %+v: %v", g, err)
		}
	}
	a := &Access{Warehouses: oneWarehouse{w}}
	listed, err := a.ListPIIGrants(ctx, ListPIIGrantsInput{Tables: []PIITable{{Dataset: "customers", Warehouse: "lake", Table: "crm.customers", Columns: []string{"email"}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, 0, len(listed))
	for _, g := range listed {
		got = append(got, g.Grant.Principal+" "+g.Grant.Privilege)
	}
	slices.Sort(got)
	wantListed := []string{"group:analysts@example.com roles/bigquery.dataViewer", "user:ann@example.com roles/bigquery.dataViewer", "user:bo@example.com " + bqwh.FineGrainedReaderRole}
	if !slices.Equal(got, wantListed) {
		t.Fatalf("review lists %q; want %q (no owners, no project groups)", got, wantListed)
	}
	for _, g := range listed {
		if err := a.RevokeAccess(ctx, g.AccessGrant); err != nil {
			t.Fatalf("revoking %+v: %v", g.Grant, err)
		}
	}
	grants := make([]AccessGrant, len(listed))
	for i, g := range listed {
		grants[i] = g.AccessGrant
	}
	if left, err := a.AccessRemaining(ctx, grants); err != nil || len(left) != 0 {
		t.Fatalf("after revoking: %+v left (%v); want none", left, err)
	}
	md, err := client.Dataset("crm").Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Access) != 4 || slices.ContainsFunc(md.Access, func(e *bigquery.AccessEntry) bool { return e.Entity == "analysts@example.com" }) {
		t.Errorf("dataset access after the revocation: %d entries, analysts among them; want the 4 BigQuery creates, analysts gone", len(md.Access))
	}
}

// A member that does not exist is refused by IAM, and the refusal is not
// retried: no retry creates the member.
func TestGrantToAMemberIAMDoesNotKnowIsNotRetried(t *testing.T) {
	_, _, w := bqAccessSetup(t)
	a := &Access{Warehouses: oneWarehouse{w}}
	g := AccessGrant{Warehouse: "lake", Grant: warehouse.Grant{Table: warehouse.TableRef{Schema: "crm", Table: "customers"},
		Principal: "user:nobody@example.com", Privilege: "roles/bigquery.dataViewer"}}
	err := a.GrantAccess(t.Context(), g)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("GrantAccess to an unknown member = %v; want a non-retryable refusal saying it does not exist", err)
	}
}

// The reconciler reads a BigQuery table's dataset entries and policy tags
// too: a dataset reader and a policy-tag reader that nothing explains are
// revoked, while the dataset's owners and the project's groups are left.
func TestReconcileOnBigQueryRevokesDatasetAndPolicyTagOrphans(t *testing.T) {
	_, client, w := bqAccessSetup(t)
	ctx := t.Context()
	ref := warehouse.TableRef{Schema: "crm", Table: "customers"}
	for _, g := range []warehouse.Grant{
		{Table: ref, Principal: "group:analysts@example.com", Privilege: "READER", OnDataset: true},
		{Table: ref, Principal: "user:bo@example.com", Privilege: bqwh.FineGrainedReaderRole, Column: "email"},
	} {
		if err := w.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	a := &AccessReconcile{Warehouses: oneWarehouse{w}, Active: noRequests{}}
	res, err := a.ReconcileReadGrants(ctx, ReconcileReadInput{Tables: []ReconcileTable{
		{Dataset: "customers", Warehouse: "lake", Table: "crm.customers", PIIColumns: []string{"email"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orphans) != 2 {
		t.Fatalf("orphans %+v; want the analysts' dataset entry and bo's policy-tag reader, no owner", res.Orphans)
	}
	out, err := a.ReconcileRevoke(ctx, ReconcileRevokeInput{Orphans: res.Orphans})
	if err != nil || len(out) != 2 || out[0].Action != OrphanRevoked || out[1].Action != OrphanRevoked {
		t.Fatalf("revoke: %+v, %v; want both revoked", out, err)
	}
	left, err := w.AccessGrants(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range left {
		if g.Principal == "group:analysts@example.com" || g.Principal == "user:bo@example.com" {
			t.Errorf("still held after the reconcile: %+v", g)
		}
	}
	md, err := client.Dataset("crm").Metadata(ctx)
	if err != nil || len(md.Access) != 4 {
		t.Errorf("dataset access after the reconcile: %d entries (%v); want BigQuery's 4 defaults kept", len(md.Access), err)
	}
}
