package bigquery

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"

	"cloud.google.com/go/iam"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Grants lists the table's IAM policy: one Grant per member and role.
// Access inherited from the dataset or the project, and column access
// through Data Catalog policy tags, are not listed: Grants shows what is
// granted on the table, which is what a snapshot keeps. AccessGrants adds
// the dataset's entries and the policy tags' readers.
func (w *Warehouse) Grants(ctx context.Context, ref warehouse.TableRef) ([]warehouse.Grant, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	policy, err := w.table(ref).IAM().Policy(ctx)
	if err != nil {
		return nil, translate(err, tableOp(ref, "bigquery.tables.getIamPolicy"))
	}
	var out []warehouse.Grant
	for _, role := range policy.Roles() {
		for _, member := range policy.Members(role) {
			out = append(out, warehouse.Grant{Table: ref, Principal: member, Privilege: string(role)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Principal != out[j].Principal {
			return out[i].Principal < out[j].Principal
		}
		return out[i].Privilege < out[j].Privilege
	})
	return out, nil
}

// AccessGrants lists every grant that lets a member read the table, or
// some of its columns: the table's IAM policy (Grants), the dataset's
// access entries (OnDataset) and the IAM of the policy tags on its
// columns (Column and PolicyTag). Access reviews and the reconciler read
// it; project-level IAM is not listed.
func (w *Warehouse) AccessGrants(ctx context.Context, ref warehouse.TableRef) ([]warehouse.Grant, error) {
	out, err := w.Grants(ctx, ref)
	if err != nil {
		return nil, err
	}
	onDataset, err := w.datasetGrants(ctx, ref)
	if err != nil {
		return nil, err
	}
	onTags, err := w.tagGrants(ctx, ref)
	if err != nil {
		return nil, err
	}
	return append(append(out, onDataset...), onTags...), nil
}

// Grant gives a member a role where g says: on the table's IAM policy, on
// the dataset (OnDataset), or on the policy tags of g.Column. Granting
// what is held is a no-op; a change is read back to check.
func (w *Warehouse) Grant(ctx context.Context, g warehouse.Grant) error {
	return w.change(ctx, g, true)
}

// Revoke takes a member's role away where g says (see Grant), unless it
// is absent already, then reads the policy back to check.
func (w *Warehouse) Revoke(ctx context.Context, g warehouse.Grant) error {
	return w.change(ctx, g, false)
}

func (w *Warehouse) change(ctx context.Context, g warehouse.Grant, add bool) error {
	if err := validateGrant(g); err != nil {
		return err
	}
	switch {
	case g.OnDataset:
		return w.changeDatasetAccess(ctx, g, add)
	case g.Column != "":
		return w.changeTagReaders(ctx, g, add)
	}
	return w.changeGrants(ctx, g.Table, []warehouse.Grant{g}, add)
}

// IAM members look like user:a@b.c, group:..., serviceAccount:...,
// domain:b.c (and, in dataset access entries, specialGroup:projectReaders);
// roles like roles/bigquery.dataViewer or projects/p/roles/custom, or a
// dataset's basic OWNER, WRITER and READER.
var (
	memberPattern = regexp.MustCompile(`^(?:(?:user|group|serviceAccount|domain|principal|principalSet|specialGroup):[A-Za-z0-9._%+@/:-]+|allUsers|allAuthenticatedUsers)$`)
	rolePattern   = regexp.MustCompile(`^(?:(?:roles|projects/[a-z0-9.:-]+/roles|organizations/[0-9]+/roles)/[A-Za-z0-9_.]+|OWNER|WRITER|READER)$`)
)

// validateGrant checks every name in g. A principal is not an SQL
// identifier here but an IAM member; a bad one is still reported as
// *warehouse.InvalidIdentifierError, with a message that says what fits.
func validateGrant(g warehouse.Grant) error {
	if err := g.Table.Validate(); err != nil {
		return err
	}
	if !memberPattern.MatchString(g.Principal) {
		return fmt.Errorf("BigQuery principals are IAM members such as user:ann@example.com or group:analysts@example.com: %w",
			&warehouse.InvalidIdentifierError{Name: g.Principal})
	}
	if !rolePattern.MatchString(g.Privilege) {
		return fmt.Errorf("invalid BigQuery privilege %q: use an IAM role such as roles/bigquery.dataViewer", g.Privilege)
	}
	if g.Column != "" && g.OnDataset {
		return fmt.Errorf("a grant on dataset %s cannot name column %s", g.Table.Schema, g.Column)
	}
	if g.Column == "" {
		return nil
	}
	return warehouse.ValidIdentifier(g.Column)
}

// refused makes IAM's 400 for a grant (a member that does not exist, a
// role that does not apply) a *warehouse.RefusedGrantError, which no
// retry changes; other errors pass through.
func refused(g warehouse.Grant, err error) error {
	if f, ok := classify(err); ok && f.code == http.StatusBadRequest {
		return &warehouse.RefusedGrantError{Grant: g, Reason: f.message, Err: err}
	}
	return err
}

// changeGrants adds (or removes) grants on ref in one read-modify-write of
// the policy, guarded by its etag: a concurrent change makes SetPolicy fail
// (409 or 412) and the loop start over from a fresh read.
func (w *Warehouse) changeGrants(ctx context.Context, ref warehouse.TableRef, grants []warehouse.Grant, add bool) error {
	handle := w.table(ref).IAM()
	var err error
	for range maxUpdateTries {
		var policy *iam.Policy
		if policy, err = handle.Policy(ctx); err != nil {
			return translate(err, tableOp(ref, "bigquery.tables.getIamPolicy"))
		}
		if !applyGrants(policy, grants, add) {
			return nil // already as wanted: nothing to write, nothing to verify
		}
		if err = handle.SetPolicy(ctx, policy); err == nil {
			return w.verifyGrants(ctx, ref, handle, grants, add)
		}
		if !isDuplicate(err) && !isPreconditionFailed(err) {
			break
		}
	}
	err = translate(err, tableOp(ref, "bigquery.tables.setIamPolicy"))
	if len(grants) == 1 {
		return refused(grants[0], err)
	}
	return err
}

// applyGrants changes policy and reports whether anything changed.
func applyGrants(policy *iam.Policy, grants []warehouse.Grant, add bool) bool {
	changed := false
	for _, g := range grants {
		role := iam.RoleName(g.Privilege)
		if policy.HasRole(g.Principal, role) == add {
			continue
		}
		if add {
			policy.Add(g.Principal, role)
		} else {
			policy.Remove(g.Principal, role)
		}
		changed = true
	}
	return changed
}

// verifyGrants reads the policy back, so a caller never reports a grant
// or a revocation BigQuery did not keep.
func (w *Warehouse) verifyGrants(ctx context.Context, ref warehouse.TableRef, handle *iam.Handle, grants []warehouse.Grant, add bool) error {
	policy, err := handle.Policy(ctx)
	if err != nil {
		return translate(err, tableOp(ref, "bigquery.tables.getIamPolicy"))
	}
	for _, g := range grants {
		if policy.HasRole(g.Principal, iam.RoleName(g.Privilege)) != add {
			verb := map[bool]string{true: "granted", false: "revoked"}[add]
			return fmt.Errorf("%s for %s on %s was %s, but the policy read back says otherwise", g.Privilege, g.Principal, g.Table, verb)
		}
	}
	return nil
}
