package bigquery

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	datacatalog "google.golang.org/api/datacatalog/v1"

	"github.com/dre-dev/dre/internal/warehouse"
)

// FineGrainedReaderRole lets a member read the columns a policy tag
// protects (Data Catalog column-level access control).
const FineGrainedReaderRole = "roles/datacatalog.categoryFineGrainedReader"

// columnTags returns the policy tags of each top-level column that has
// any, by column name.
func (w *Warehouse) columnTags(ctx context.Context, ref warehouse.TableRef) (map[string][]string, error) {
	md, err := w.table(ref).Metadata(ctx)
	if err != nil {
		return nil, translate(err, tableOp(ref, "bigquery.tables.get"))
	}
	out := map[string][]string{}
	for _, f := range md.Schema {
		if f.PolicyTags != nil && len(f.PolicyTags.Names) > 0 {
			out[f.Name] = f.PolicyTags.Names
		}
	}
	return out, nil
}

// tagGrants lists the IAM of the policy tags on ref's columns: one grant
// per column, member and role, with Column and PolicyTag set. A tag on
// several columns is read once. Data Catalog grants on a tag reach every
// column it is on, in every table.
func (w *Warehouse) tagGrants(ctx context.Context, ref warehouse.TableRef) ([]warehouse.Grant, error) {
	tags, err := w.columnTags(ctx, ref)
	if err != nil {
		return nil, err
	}
	policies := map[string]*datacatalog.Policy{}
	var out []warehouse.Grant
	for _, col := range slices.Sorted(maps.Keys(tags)) {
		for _, tag := range tags[col] {
			p, read := policies[tag]
			if !read {
				if p, err = w.tagPolicy(ctx, tag); err != nil {
					return nil, err
				}
				policies[tag] = p
			}
			for _, b := range p.Bindings {
				for _, m := range b.Members {
					out = append(out, warehouse.Grant{Table: ref, Principal: m, Privilege: b.Role, Column: col, PolicyTag: tag})
				}
			}
		}
	}
	return out, nil
}

func (w *Warehouse) tagPolicy(ctx context.Context, tag string) (*datacatalog.Policy, error) {
	p, err := w.catalog.Projects.Locations.Taxonomies.PolicyTags.GetIamPolicy(tag, &datacatalog.GetIamPolicyRequest{}).Context(ctx).Do()
	if err != nil {
		return nil, translate(err, op{kind: "policy tag", name: tag, permission: "datacatalog.taxonomies.getIamPolicy on " + tag})
	}
	return p, nil
}

// tagsFor returns the policy tags a column grant is held on: g.PolicyTag
// when set, else every tag on the column. A column without one cannot be
// granted on its own in BigQuery.
func (w *Warehouse) tagsFor(ctx context.Context, g warehouse.Grant) ([]string, error) {
	tags, err := w.columnTags(ctx, g.Table)
	if err != nil {
		return nil, err
	}
	onColumn := tags[g.Column]
	if len(onColumn) == 0 {
		return nil, &warehouse.RefusedGrantError{Grant: g, Reason: fmt.Sprintf(
			"column %s of %s carries no policy tag, and BigQuery grants a column only through one: tag the column in Data Catalog, or ask for the whole table", g.Column, g.Table)}
	}
	if g.PolicyTag == "" {
		return onColumn, nil
	}
	if !slices.Contains(onColumn, g.PolicyTag) {
		return nil, &warehouse.RefusedGrantError{Grant: g, Reason: fmt.Sprintf("column %s of %s does not carry policy tag %s", g.Column, g.Table, g.PolicyTag)}
	}
	return []string{g.PolicyTag}, nil
}

// changeTagReaders adds (or removes) g's member and role on each policy
// tag of its column, each in a read-modify-write guarded by the policy's
// etag, retried from a fresh read on a conflict, then read back.
func (w *Warehouse) changeTagReaders(ctx context.Context, g warehouse.Grant, add bool) error {
	tags, err := w.tagsFor(ctx, g)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		if err := w.changeTag(ctx, tag, g, add); err != nil {
			return err
		}
	}
	return nil
}

func (w *Warehouse) changeTag(ctx context.Context, tag string, g warehouse.Grant, add bool) error {
	tags := w.catalog.Projects.Locations.Taxonomies.PolicyTags
	var err error
	for range maxUpdateTries {
		var p *datacatalog.Policy
		if p, err = w.tagPolicy(ctx, tag); err != nil {
			return err
		}
		if !setBinding(p, g.Principal, g.Privilege, add) {
			return nil
		}
		_, err = tags.SetIamPolicy(tag, &datacatalog.SetIamPolicyRequest{Policy: p}).Context(ctx).Do()
		if err == nil {
			return w.verifyTag(ctx, tag, g, add)
		}
		if !isDuplicate(err) && !isPreconditionFailed(err) {
			break
		}
	}
	return refused(g, translate(err, op{kind: "policy tag", name: tag, permission: "datacatalog.taxonomies.setIamPolicy on " + tag}))
}

// verifyTag reads the tag's policy back.
func (w *Warehouse) verifyTag(ctx context.Context, tag string, g warehouse.Grant, add bool) error {
	p, err := w.tagPolicy(ctx, tag)
	if err != nil {
		return err
	}
	if hasBinding(p, g.Principal, g.Privilege) != add {
		return fmt.Errorf("%s for %s on policy tag %s was changed, but the policy read back says otherwise", g.Privilege, g.Principal, tag)
	}
	return nil
}

func hasBinding(p *datacatalog.Policy, member, role string) bool {
	return slices.ContainsFunc(p.Bindings, func(b *datacatalog.Binding) bool {
		return b.Role == role && b.Condition == nil && slices.ContainsFunc(b.Members, func(m string) bool { return strings.EqualFold(m, member) })
	})
}

// setBinding adds member to role (or removes it) and reports whether the
// policy changed.
func setBinding(p *datacatalog.Policy, member, role string, add bool) bool {
	if hasBinding(p, member, role) == add {
		return false
	}
	if !add {
		for _, b := range p.Bindings {
			if b.Role == role && b.Condition == nil {
				b.Members = slices.DeleteFunc(b.Members, func(m string) bool { return strings.EqualFold(m, member) })
			}
		}
		return true
	}
	for _, b := range p.Bindings {
		if b.Role == role && b.Condition == nil {
			b.Members = append(b.Members, member)
			return true
		}
	}
	p.Bindings = append(p.Bindings, &datacatalog.Binding{Role: role, Members: []string{member}})
	return true
}
