package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// AccessLedger lists the access that running access-request workflows
// hold on a dataset; the worker implements it over Temporal's visibility.
// Declared here, where restores ask it, and kept to that one question.
type AccessLedger interface {
	ActiveAccess(ctx context.Context, dataset string) ([]ActiveAccess, error)
}

// ActiveAccess is one granted, running access request.
type ActiveAccess struct {
	WorkflowID string `json:"workflowId"`
	Principal  string `json:"principal"`
	// Columns are the columns granted; empty means the whole table.
	Columns []string `json:"columns,omitempty"`
}

// DeprecateAllowedInput asks which grants a deprecation may give back.
type DeprecateAllowedInput struct {
	DeprecateTable
	// Dataset is the catalog entry the deprecation started with; the
	// worker's dre.yaml wins when it has the dataset.
	Dataset catalog.Dataset   `json:"dataset"`
	Grants  []warehouse.Grant `json:"grants"`
	// Restore adds the grants of active access requests that Grants
	// lacks: a restore makes the table's grants exactly the answer's, so
	// it would otherwise take them away.
	Restore bool `json:"restore,omitempty"`
}

// WithheldGrant is a grant a deprecation did not give back, and why.
type WithheldGrant struct {
	Grant warehouse.Grant `json:"grant"`
	Why   string          `json:"why"`
}

// DeprecateAllowed splits the grants into those that may come back and
// those withheld.
type DeprecateAllowed struct {
	Allowed  []warehouse.Grant `json:"allowed"`
	Withheld []WithheldGrant   `json:"withheld,omitempty"`
}

// DeprecateAllowedGrants decides, at the moment it runs, which grants a
// brownout's end or a restore gives back. On a dataset whose access dre
// governs (catalog.Dataset.Governed) a read grant comes back only when
// dre.yaml declares it under access.standing or a running access request
// holds it; an expired request's or a revoked review item's grant stays
// gone. Other privileges, and every grant of an ungoverned dataset, come
// back as they were.
func (d *Deprecations) DeprecateAllowedGrants(ctx context.Context, in DeprecateAllowedInput) (DeprecateAllowed, error) {
	ds := in.Dataset
	if d.Catalog != nil {
		if current, err := d.Catalog.Lookup(ds.Name); err == nil {
			ds = current
		}
	}
	if !ds.Governed() {
		return DeprecateAllowed{Allowed: in.Grants}, nil
	}
	var active []ActiveAccess
	unseen := ""
	if d.Ledger == nil {
		unseen = "; this worker cannot list access requests (it has no Temporal client), so none counted"
	} else {
		var err error
		if active, err = d.Ledger.ActiveAccess(ctx, ds.Name); err != nil {
			return DeprecateAllowed{}, fmt.Errorf("listing the active access requests on %s: %w", ds.Name, err)
		}
	}
	out := AllowedGrants(ds, in.Grants, active, unseen)
	if in.Restore {
		out.Allowed = withActive(out.Allowed, in.Table, active)
	}
	return out, nil
}

// AllowedGrants is DeprecateAllowedGrants's decision, given the active
// access requests; unseen is appended to the reason of every withheld
// grant when they could not be listed.
func AllowedGrants(ds catalog.Dataset, grants []warehouse.Grant, active []ActiveAccess, unseen string) DeprecateAllowed {
	reads := ReadGrants(grants)
	out := DeprecateAllowed{Allowed: []warehouse.Grant{}}
	for _, g := range grants {
		if !slices.Contains(reads, g) || standing(ds, g) || requested(active, g) {
			out.Allowed = append(out.Allowed, g)
			continue
		}
		out.Withheld = append(out.Withheld, WithheldGrant{Grant: g,
			Why: "not declared under access.standing in dre.yaml and held by no active access request" + unseen})
	}
	return out
}

// standing reports whether dre.yaml declares g, or a table-wide grant
// that covers g's column.
func standing(ds catalog.Dataset, g warehouse.Grant) bool {
	return slices.ContainsFunc(ds.Access.Standing, func(s catalog.StandingGrant) bool {
		return samePrincipal(s.Principal, g.Principal) && strings.EqualFold(s.StandingPrivilege(), g.Privilege) &&
			(s.Column == "" || s.Column == g.Column)
	})
}

// requested reports whether a running access request grants g: SELECT
// on the table, or on g's column.
func requested(active []ActiveAccess, g warehouse.Grant) bool {
	if !strings.EqualFold(g.Privilege, "SELECT") {
		return false
	}
	return slices.ContainsFunc(active, func(a ActiveAccess) bool {
		return samePrincipal(a.Principal, g.Principal) && (len(a.Columns) == 0 || slices.Contains(a.Columns, g.Column))
	})
}

// withActive adds the SELECT grants of the active requests that allowed
// lacks.
func withActive(allowed []warehouse.Grant, table string, active []ActiveAccess) []warehouse.Grant {
	ref, err := warehouse.ParseTableRef(table)
	if err != nil {
		return allowed
	}
	for _, a := range active {
		cols := a.Columns
		if len(cols) == 0 {
			cols = []string{""}
		}
		for _, c := range cols {
			g := warehouse.Grant{Table: ref, Principal: a.Principal, Privilege: "SELECT", Column: c}
			if !slices.ContainsFunc(allowed, func(h warehouse.Grant) bool { return sameIgnoringTable(h, g) }) {
				allowed = append(allowed, g)
			}
		}
	}
	return allowed
}

// sameIgnoringTable compares grants whose Table may be unset, as in a
// deprecation's recorded metadata.
func sameIgnoringTable(a, b warehouse.Grant) bool {
	a.Table, b.Table = warehouse.TableRef{}, warehouse.TableRef{}
	return SameGrant(a, b)
}
