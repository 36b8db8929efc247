package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/warehouse"
)

// AccessHeldInput names one principal on one table of a named warehouse.
type AccessHeldInput struct {
	Warehouse string `json:"warehouse"`
	Table     string `json:"table"`
	Principal string `json:"principal"`
}

// AccessHeld reads the table's access control list and returns the
// privileges the principal holds on it directly, table- and column-level.
// An access request records them before granting, so that its expiry
// takes away only what it added and a standing grant survives.
func (a *Access) AccessHeld(ctx context.Context, in AccessHeldInput) ([]warehouse.Grant, error) {
	ref, err := parseTable(in.Table)
	if err != nil {
		return nil, err
	}
	w, err := a.warehouse(ctx, in.Warehouse)
	if err != nil {
		return nil, err
	}
	acl, err := readAccess(ctx, w, ref)
	if err != nil {
		return nil, fmt.Errorf("reading the grants on %s: %w", in.Table, err)
	}
	held := []warehouse.Grant{}
	for _, g := range acl {
		if samePrincipal(g.Principal, in.Principal) {
			held = append(held, g)
		}
	}
	return held, nil
}

// AccessRemaining reads the access control lists back and returns those
// of grants that are still in effect: after a revocation, what could not
// be taken away. It trusts no earlier answer, the revocation's included.
func (a *Access) AccessRemaining(ctx context.Context, grants []AccessGrant) ([]AccessGrant, error) {
	remaining := []AccessGrant{}
	acls := map[string][]warehouse.Grant{}
	for _, g := range grants {
		key := g.Warehouse + "\x00" + g.Grant.Table.String()
		acl, read := acls[key]
		if !read {
			w, err := a.warehouse(ctx, g.Warehouse)
			if err != nil {
				return nil, err
			}
			if acl, err = readAccess(ctx, w, g.Grant.Table); err != nil {
				return nil, fmt.Errorf("reading the grants on %s back: %w", g.Grant.Table, err)
			}
			acls[key] = acl
		}
		if slices.ContainsFunc(acl, func(h warehouse.Grant) bool { return SameGrant(h, g.Grant) }) {
			remaining = append(remaining, g)
		}
	}
	return remaining, nil
}

// SameGrant reports whether two grants give the same privilege to the same
// principal on the same table or column. Privileges and PUBLIC compare
// without regard to case; role names are quoted, so case counts.
// A grant on a BigQuery dataset is not the same as one on its table; the
// policy tag a column grant is held on is not compared, since a request
// names the column only.
func SameGrant(a, b warehouse.Grant) bool {
	return a.Table == b.Table && a.Column == b.Column && a.OnDataset == b.OnDataset &&
		strings.EqualFold(a.Privilege, b.Privilege) && samePrincipal(a.Principal, b.Principal)
}
