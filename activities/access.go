package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// accessWarehouses finds a warehouse by its dre.yaml name; declared here so
// the access activities depend on nothing else of the registry.
type accessWarehouses interface {
	Warehouse(ctx context.Context, name string) (warehouse.Warehouse, error)
}

// Access grants, revokes and lists privileges on PII tables, for access
// requests and access reviews. Grant and Revoke are idempotent and
// verified by the warehouse adapter, so retries are safe.
type Access struct {
	Warehouses accessWarehouses
	// Incidents tells whether a triage incident is open, for access
	// granted for one; nil refuses such access.
	Incidents accessIncidents
}

// AccessGrant is one privilege in one named warehouse.
type AccessGrant struct {
	Warehouse string          `json:"warehouse"`
	Grant     warehouse.Grant `json:"grant"`
}

// GrantAccess gives the privilege and returns once it is in effect.
func (a *Access) GrantAccess(ctx context.Context, g AccessGrant) error {
	w, err := a.warehouse(ctx, g.Warehouse)
	if err != nil {
		return err
	}
	return accessFailure("granting", g, w.Grant(ctx, g.Grant))
}

// RevokeAccess takes the privilege away and returns once it is gone.
func (a *Access) RevokeAccess(ctx context.Context, g AccessGrant) error {
	w, err := a.warehouse(ctx, g.Warehouse)
	if err != nil {
		return err
	}
	return accessFailure("revoking", g, w.Revoke(ctx, g.Grant))
}

// PIITable is a catalog table with PII, for ListPIIGrants.
type PIITable struct {
	Dataset   string   `json:"dataset"`
	Warehouse string   `json:"warehouse"`
	Table     string   `json:"table"`
	Columns   []string `json:"columns"`
}

// ListPIIGrantsInput lists the tables to look at and the principals to
// leave out (the warehouse's service roles, which own the tables).
type ListPIIGrantsInput struct {
	Tables []PIITable `json:"tables"`
	Ignore []string   `json:"ignore,omitempty"`
}

// PIIGrant is a grant that reaches PII: SELECT on a PII table, or on one
// of its PII columns.
type PIIGrant struct {
	Dataset string `json:"dataset"`
	AccessGrant
}

// ListPIIGrants returns the warehouse grants that intersect the catalog's
// PII: table-level SELECT on a table with PII columns, and column-level
// SELECT on a PII column. Other privileges (INSERT...) do not expose data.
func (a *Access) ListPIIGrants(ctx context.Context, in ListPIIGrantsInput) ([]PIIGrant, error) {
	var out []PIIGrant
	for _, t := range in.Tables {
		ref, err := parseTable(t.Table)
		if err != nil {
			return nil, err
		}
		w, err := a.warehouse(ctx, t.Warehouse)
		if err != nil {
			return nil, err
		}
		grants, err := readAccess(ctx, w, ref)
		if err != nil {
			return nil, fmt.Errorf("listing the grants on %s (dataset %s): %w", t.Table, t.Dataset, err)
		}
		for _, g := range grants {
			if reachesPII(g, t.Columns) && !ignored(g.Principal, in.Ignore) {
				out = append(out, PIIGrant{Dataset: t.Dataset, AccessGrant: AccessGrant{Warehouse: t.Warehouse, Grant: g}})
			}
		}
	}
	return out, nil
}

// reachesPII reports whether a grant reads PII: SELECT on the table or a
// PII column (PostgreSQL); any IAM role on the table or its dataset, or on
// the policy tag of a PII column, except a dataset's owners and the
// project's groups (BigQuery).
func reachesPII(g warehouse.Grant, piiColumns []string) bool {
	if isIAMRole(g.Privilege) {
		return !ownsDataset(g) && (g.Column == "" || slices.Contains(piiColumns, g.Column))
	}
	if !strings.EqualFold(g.Privilege, "SELECT") {
		return false
	}
	return g.Column == "" || slices.Contains(piiColumns, g.Column)
}

func ignored(principal string, ignore []string) bool {
	return slices.ContainsFunc(ignore, func(p string) bool { return strings.EqualFold(p, principal) })
}

func (a *Access) warehouse(ctx context.Context, name string) (warehouse.Warehouse, error) {
	w, err := a.Warehouses.Warehouse(ctx, name)
	var unknown *warehouse.UnknownWarehouseError
	if errors.As(err, &unknown) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), errUnknownWarehouse, err)
	}
	return w, err
}

// accessReader lists, besides a table's own grants, those that reach it
// from elsewhere: a BigQuery dataset's access entries and the policy tags
// on its columns. Warehouses without it are read with Grants.
type accessReader interface {
	AccessGrants(ctx context.Context, ref warehouse.TableRef) ([]warehouse.Grant, error)
}

// readAccess lists every grant that reads ref, as far as the warehouse
// can say.
func readAccess(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef) ([]warehouse.Grant, error) {
	if r, ok := w.(accessReader); ok {
		return r.AccessGrants(ctx, ref)
	}
	return w.Grants(ctx, ref)
}

// accessFailure makes invalid grants, and privileges only another grantor
// can revoke, non-retryable: no retry changes them, and the workflow must
// report them. Everything else (a connection, a lock) is retried by
// policy, since a revocation must eventually happen.
func accessFailure(what string, g AccessGrant, err error) error {
	if err == nil {
		return nil
	}
	var bad *warehouse.InvalidIdentifierError
	if errors.As(err, &bad) {
		return temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	var refused *warehouse.RefusedGrantError
	if errors.As(err, &refused) {
		return temporal.NewNonRetryableApplicationError(refused.Error(), errInvalidInput, err)
	}
	var grantor *warehouse.GrantorError
	if errors.As(err, &grantor) {
		return temporal.NewNonRetryableApplicationError(grantor.Error(), errOtherGrantor, err)
	}
	return fmt.Errorf("%s %s on %s to %s: %w", what, g.Grant.Privilege, g.Grant.Table, g.Grant.Principal, err)
}
