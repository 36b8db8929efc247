package bigquery

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Basic dataset roles are the IAM roles BigQuery documents as their
// equivalents; dre names dataset grants by the IAM role, so that a
// READER entry and a dataViewer binding compare equal.
var basicRoles = map[bigquery.AccessRole]string{
	bigquery.OwnerRole:  "roles/bigquery.dataOwner",
	bigquery.WriterRole: "roles/bigquery.dataEditor",
	bigquery.ReaderRole: "roles/bigquery.dataViewer",
}

// DatasetOwnerRole is the role of a dataset's owners (OWNER entries).
const DatasetOwnerRole = "roles/bigquery.dataOwner"

// accessPolicyVersion 3 returns conditional entries as they are, rather
// than with a made-up role, so that a read-modify-write keeps them.
const accessPolicyVersion = 3

// datasetGrants lists the dataset's access entries that name a member
// (not authorized views, routines or datasets) as grants on ref, with
// OnDataset set: each reaches every table of the dataset.
func (w *Warehouse) datasetGrants(ctx context.Context, ref warehouse.TableRef) ([]warehouse.Grant, error) {
	md, err := w.dataset(ref).MetadataWithOptions(ctx, bigquery.WithAccessPolicyVersion(accessPolicyVersion))
	if err != nil {
		return nil, translate(err, op{kind: "dataset", name: ref.Schema, permission: "bigquery.datasets.get on " + ref.Schema})
	}
	var out []warehouse.Grant
	for _, e := range md.Access {
		if m := entryMember(e); m != "" {
			out = append(out, warehouse.Grant{Table: ref, Principal: m, Privilege: entryRole(e.Role), OnDataset: true})
		}
	}
	return out, nil
}

func (w *Warehouse) dataset(ref warehouse.TableRef) *bigquery.Dataset {
	return w.client.DatasetInProject(w.project, ref.Schema)
}

// entryMember is an access entry's entity as an IAM member, "" for
// entities that are not members (views, routines, datasets). Project
// groups are written specialGroup:projectReaders and so on.
func entryMember(e *bigquery.AccessEntry) string {
	switch e.EntityType {
	case bigquery.UserEmailEntity:
		if strings.HasSuffix(strings.ToLower(e.Entity), ".gserviceaccount.com") {
			return "serviceAccount:" + e.Entity
		}
		return "user:" + e.Entity
	case bigquery.GroupEmailEntity:
		return "group:" + e.Entity
	case bigquery.DomainEntity:
		return "domain:" + e.Entity
	case bigquery.SpecialGroupEntity:
		if e.Entity == "allAuthenticatedUsers" {
			return e.Entity
		}
		return "specialGroup:" + e.Entity
	case bigquery.IAMMemberEntity:
		return e.Entity
	}
	return ""
}

// entryRole is an entry's role as an IAM role.
func entryRole(r bigquery.AccessRole) string {
	if iamRole, basic := basicRoles[r]; basic {
		return iamRole
	}
	return string(r)
}

// newEntry is the access entry that gives g.
func newEntry(g warehouse.Grant) *bigquery.AccessEntry {
	kind, email, _ := strings.Cut(g.Principal, ":")
	e := &bigquery.AccessEntry{Role: bigquery.AccessRole(g.Privilege), Entity: email}
	switch kind {
	case "user", "serviceAccount":
		e.EntityType = bigquery.UserEmailEntity
	case "group":
		e.EntityType = bigquery.GroupEmailEntity
	case "domain":
		e.EntityType = bigquery.DomainEntity
	case "specialGroup":
		e.EntityType = bigquery.SpecialGroupEntity
	default:
		e.EntityType, e.Entity = bigquery.IAMMemberEntity, g.Principal
	}
	return e
}

// entryGives reports whether e gives g (member and role compared as
// IAM compares them: members without regard to case).
func entryGives(e *bigquery.AccessEntry, g warehouse.Grant) bool {
	return e.Condition == nil && strings.EqualFold(entryMember(e), g.Principal) && entryRole(e.Role) == entryRole(bigquery.AccessRole(g.Privilege))
}

// changeDatasetAccess adds (or removes) g's entry in one read-modify-write
// of the dataset guarded by its etag, retried from a fresh read when
// someone else changed the dataset in between (412), then reads it back.
func (w *Warehouse) changeDatasetAccess(ctx context.Context, g warehouse.Grant, add bool) error {
	ds := w.dataset(g.Table)
	get := op{kind: "dataset", name: g.Table.Schema, permission: "bigquery.datasets.get on " + g.Table.Schema}
	var err error
	for range maxUpdateTries {
		var md *bigquery.DatasetMetadata
		if md, err = ds.MetadataWithOptions(ctx, bigquery.WithAccessPolicyVersion(accessPolicyVersion)); err != nil {
			return translate(err, get)
		}
		held := slices.ContainsFunc(md.Access, func(e *bigquery.AccessEntry) bool { return entryGives(e, g) })
		if held == add {
			return nil
		}
		access := slices.DeleteFunc(slices.Clone(md.Access), func(e *bigquery.AccessEntry) bool { return entryGives(e, g) })
		if add {
			access = append(access, newEntry(g))
		}
		_, err = ds.UpdateWithOptions(ctx, bigquery.DatasetMetadataToUpdate{Access: access}, md.ETag, bigquery.WithAccessPolicyVersion(accessPolicyVersion))
		if err == nil {
			return w.verifyDatasetAccess(ctx, g, add)
		}
		if !isPreconditionFailed(err) {
			break
		}
	}
	return refused(g, translate(err, op{kind: "dataset", name: g.Table.Schema, permission: "bigquery.datasets.update on " + g.Table.Schema}))
}

// verifyDatasetAccess reads the dataset back.
func (w *Warehouse) verifyDatasetAccess(ctx context.Context, g warehouse.Grant, add bool) error {
	grants, err := w.datasetGrants(ctx, g.Table)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(grants, func(h warehouse.Grant) bool { return sameMemberRole(h, g) }) != add {
		return fmt.Errorf("%s for %s on dataset %s was changed, but the dataset read back says otherwise", g.Privilege, g.Principal, g.Table.Schema)
	}
	return nil
}

// sameMemberRole compares two grants' members and roles.
func sameMemberRole(a, b warehouse.Grant) bool {
	return strings.EqualFold(a.Principal, b.Principal) && entryRole(bigquery.AccessRole(a.Privilege)) == entryRole(bigquery.AccessRole(b.Privilege))
}
