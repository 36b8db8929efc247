package bigquery

import (
	"context"
	"fmt"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// piiTags is the two-way map between Data Catalog policy tags and PII kinds.
type piiTags struct {
	kindByTag map[string]string
	tagByKind map[string]string
}

// SetPIIPolicyTags says which Data Catalog policy tag stands for which PII
// kind (a catalog.PIIKind): kindByTag maps a policy tag's resource name,
// projects/P/locations/L/taxonomies/T/policyTags/ID, to a kind. Describe and
// Metadata report a column's kind through it and TagPII sets the tag of a
// kind, so each kind has one tag. Call it before the Warehouse is shared.
func (w *Warehouse) SetPIIPolicyTags(kindByTag map[string]string) error {
	p := piiTags{kindByTag: map[string]string{}, tagByKind: map[string]string{}}
	for tag, kind := range kindByTag {
		if kind == "" || tag == "" {
			return fmt.Errorf("PII policy tag %q: kind %q: neither may be empty", tag, kind)
		}
		if other, dup := p.tagByKind[kind]; dup {
			return fmt.Errorf("PII kind %q has two policy tags, %s and %s: TagPII needs one", kind, other, tag)
		}
		p.kindByTag[tag], p.tagByKind[kind] = kind, tag
	}
	w.pii = p
	return nil
}

// kindOf returns the PII kind of the first known tag, "" for none.
func (p piiTags) kindOf(tags *bigquery.PolicyTagList) string {
	if tags == nil {
		return ""
	}
	for _, name := range tags.Names {
		if kind, ok := p.kindByTag[name]; ok {
			return kind
		}
	}
	return ""
}

// TagPII sets the policy tag of kind on a column ("" removes the column's
// policy tags). BigQuery changes policy tags only through a schema update
// that sends the whole schema, guarded by the table's etag.
func (w *Warehouse) TagPII(ctx context.Context, ref warehouse.TableRef, column, kind string) error {
	if err := validateRefs(ref); err != nil {
		return err
	}
	if err := warehouse.ValidIdentifier(column); err != nil {
		return err
	}
	var names []string
	if kind != "" {
		tag, ok := w.pii.tagByKind[kind]
		if !ok {
			return fmt.Errorf("no BigQuery policy tag stands for PII kind %q: map one with SetPIIPolicyTags", kind)
		}
		names = []string{tag}
	}
	return w.setPolicyTags(ctx, ref, map[string][]string{column: names})
}

// setPolicyTags replaces the policy tags of the given columns, keeping the
// others' tags as they are.
func (w *Warehouse) setPolicyTags(ctx context.Context, ref warehouse.TableRef, byColumn map[string][]string) error {
	return w.update(ctx, ref, func(md *bigquery.TableMetadata) (bigquery.TableMetadataToUpdate, error) {
		schema := cloneSchema(md.Schema)
		for column, names := range byColumn {
			f := findField(schema, column)
			if f == nil {
				return bigquery.TableMetadataToUpdate{}, &warehouse.NotFoundError{Kind: "column", Name: ref.String() + "." + column}
			}
			f.PolicyTags = &bigquery.PolicyTagList{Names: names}
		}
		return bigquery.TableMetadataToUpdate{Schema: schema}, nil
	})
}

// cloneSchema copies the top level, which is what setPolicyTags changes.
func cloneSchema(s bigquery.Schema) bigquery.Schema {
	out := make(bigquery.Schema, len(s))
	for i, f := range s {
		c := *f
		out[i] = &c
	}
	return out
}

func findField(s bigquery.Schema, name string) *bigquery.FieldSchema {
	for _, f := range s {
		if f.Name == name {
			return f
		}
	}
	return nil
}
