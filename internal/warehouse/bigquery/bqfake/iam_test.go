package bqfake_test

import (
	"context"
	"errors"
	"testing"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/iam"
	datacatalog "google.golang.org/api/datacatalog/v1"
	"google.golang.org/api/googleapi"
)

// httpCode is the HTTP status of a Google API error, 0 for anything else.
func httpCode(err error) int {
	var api *googleapi.Error
	if errors.As(err, &api) {
		return api.Code
	}
	return 0
}

// IAM refuses a role that does not exist and an identity that does not,
// and the stand-in does too, with a 400.
func TestTablePolicyRefusesUnknownRolesAndIdentities(t *testing.T) {
	srv, client := start(t)
	srv.AddIdentities("user:ann@example.com")
	handle := events(t, client).IAM()
	cases := map[string]struct{ member, role string }{
		"unknown role":            {"user:ann@example.com", "roles/bigquery.dataVeiwer"},
		"unknown user":            {"user:nobody@example.com", "roles/bigquery.dataViewer"},
		"malformed member":        {"ann@example.com", "roles/bigquery.dataViewer"},
		"policy tag's role":       {"user:ann@example.com", "roles/datacatalog.categoryFineGrainedReader"},
		"unknown service account": {"serviceAccount:bot@p.iam.gserviceaccount.com", "roles/bigquery.dataViewer"},
	}
	for name, c := range cases {
		p, err := handle.Policy(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		p.Add(c.member, iam.RoleName(c.role))
		if err := handle.SetPolicy(context.Background(), p); httpCode(err) != 400 {
			t.Errorf("%s: SetPolicy = %v; want a 400", name, err)
		}
	}
}

// A dataset's access list changes only against its current etag, and
// only to entries naming identities that exist.
func TestDatasetAccessNeedsTheCurrentEtag(t *testing.T) {
	srv, client := start(t)
	srv.AddIdentities("group:analysts@example.com")
	ctx := context.Background()
	ds := client.Dataset("d")
	md, err := ds.Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Access) != 4 {
		t.Fatalf("a new dataset has %d access entries; want BigQuery's 4 (project groups and the creator)", len(md.Access))
	}
	entry := &bigquery.AccessEntry{Role: bigquery.ReaderRole, EntityType: bigquery.GroupEmailEntity, Entity: "analysts@example.com"}
	if _, err := ds.Update(ctx, bigquery.DatasetMetadataToUpdate{Access: append(md.Access, entry)}, md.ETag); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Update(ctx, bigquery.DatasetMetadataToUpdate{Access: md.Access}, md.ETag); httpCode(err) != 412 {
		t.Errorf("update with a stale etag = %v; want 412", err)
	}
	now, _ := ds.Metadata(ctx)
	stranger := &bigquery.AccessEntry{Role: bigquery.ReaderRole, EntityType: bigquery.UserEmailEntity, Entity: "nobody@example.com"}
	if _, err := ds.Update(ctx, bigquery.DatasetMetadataToUpdate{Access: append(now.Access, stranger)}, now.ETag); httpCode(err) != 400 {
		t.Errorf("an entry for a user that does not exist = %v; want 400", err)
	}
}

// A policy tag's IAM is served under Data Catalog's paths, with the
// same etag and role checks; an unknown tag is a 404.
func TestPolicyTagIAM(t *testing.T) {
	srv, _ := start(t)
	const tag = "projects/p1/locations/us/taxonomies/1/policyTags/email"
	srv.AddPolicyTag(tag)
	srv.AddIdentities("user:ann@example.com")
	svc, err := datacatalog.NewService(context.Background(), srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	tags := svc.Projects.Locations.Taxonomies.PolicyTags
	p, err := tags.GetIamPolicy(tag, &datacatalog.GetIamPolicyRequest{}).Do()
	if err != nil {
		t.Fatal(err)
	}
	stale := *p
	p.Bindings = []*datacatalog.Binding{{Role: "roles/datacatalog.categoryFineGrainedReader", Members: []string{"user:ann@example.com"}}}
	if _, err := tags.SetIamPolicy(tag, &datacatalog.SetIamPolicyRequest{Policy: p}).Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := tags.SetIamPolicy(tag, &datacatalog.SetIamPolicyRequest{Policy: &stale}).Do(); httpCode(err) != 409 {
		t.Errorf("SetIamPolicy with a stale etag = %v; want 409", err)
	}
	now, _ := tags.GetIamPolicy(tag, &datacatalog.GetIamPolicyRequest{}).Do()
	now.Bindings[0].Role = "roles/bigquery.dataViewer"
	if _, err := tags.SetIamPolicy(tag, &datacatalog.SetIamPolicyRequest{Policy: now}).Do(); httpCode(err) != 400 {
		t.Errorf("a table role on a policy tag = %v; want 400", err)
	}
	if _, err := tags.GetIamPolicy(tag+"x", &datacatalog.GetIamPolicyRequest{}).Do(); httpCode(err) != 404 {
		t.Errorf("an unknown tag = %v; want 404", err)
	}
}
