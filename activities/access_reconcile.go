package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// ActiveAccessGrants lists what the running access requests give; the
// worker reads it from Temporal's visibility and the requests' inputs.
type ActiveAccessGrants interface {
	ActiveAccessGrants(ctx context.Context) ([]ActiveGrant, error)
}

// aclReader reads many tables' ACLs in one statement (PostgreSQL);
// warehouses without it are read table by table with Grants.
type aclReader interface {
	ACLs(ctx context.Context, refs []warehouse.TableRef) (warehouse.ACLs, error)
}

// AccessReconcile finds the grants on PII tables that nothing explains
// and revokes or reports them, for the access-reconcile workflow.
type AccessReconcile struct {
	Warehouses accessWarehouses
	// Active is nil in workers without a Temporal client: the reconciler
	// then refuses to run, since every request's grant would look orphaned.
	Active ActiveAccessGrants
	// Audit records each orphan; without a state database nothing is.
	Audit *Audit
	// Calls, when set, counts the warehouse calls made (ACL reads,
	// per-table grant listings, revocations), for benchmarks. A field,
	// not a method: every exported method of the struct is an activity.
	Calls *atomic.Int64
}

// count records one warehouse call.
func (a *AccessReconcile) count() {
	if a.Calls != nil {
		a.Calls.Add(1)
	}
}

// ReconcileListActive returns the grants of the running access requests
// on the given datasets (all when none are given).
func (a *AccessReconcile) ReconcileListActive(ctx context.Context, datasets []string) ([]ActiveGrant, error) {
	if a.Active == nil {
		return nil, temporal.NewNonRetryableApplicationError(
			"this worker cannot list running access requests (no Temporal client); the reconciler revokes nothing without them", errInvalidInput, nil)
	}
	all, err := a.Active.ActiveAccessGrants(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing running access requests: %w", err)
	}
	if len(datasets) == 0 {
		return all, nil
	}
	return slices.DeleteFunc(all, func(g ActiveGrant) bool { return !slices.Contains(datasets, g.Dataset) }), nil
}

// ReconcileReadInput is one batch of tables to read.
type ReconcileReadInput struct {
	Tables []ReconcileTable `json:"tables"`
}

// ReconcileReadResult is what one batch found.
type ReconcileReadResult struct {
	// Checked counts the tables read; Grants the grants that read PII.
	Checked int      `json:"checked"`
	Grants  int      `json:"grants"`
	Orphans []Orphan `json:"orphans,omitempty"`
	// Skipped are the tables that could not be reconciled, with why.
	Skipped []ReconcileSkip `json:"skipped,omitempty"`
}

// ReconcileSkip is a table left unreconciled, and why.
type ReconcileSkip struct {
	Dataset string `json:"dataset"`
	Reason  string `json:"reason"`
}

// ReconcileReadGrants reads the ACLs of a batch of tables, one statement
// per warehouse where the warehouse can, and returns the orphans.
func (a *AccessReconcile) ReconcileReadGrants(ctx context.Context, in ReconcileReadInput) (ReconcileReadResult, error) {
	var res ReconcileReadResult
	byWarehouse := map[string][]ReconcileTable{}
	var order []string
	for _, t := range in.Tables {
		if _, seen := byWarehouse[t.Warehouse]; !seen {
			order = append(order, t.Warehouse)
		}
		byWarehouse[t.Warehouse] = append(byWarehouse[t.Warehouse], t)
	}
	for _, name := range order {
		if err := a.readWarehouse(ctx, name, byWarehouse[name], &res); err != nil {
			return res, err
		}
		heartbeat(ctx, res.Checked)
	}
	return res, nil
}

// readWarehouse reconciles one warehouse's tables of the batch.
func (a *AccessReconcile) readWarehouse(ctx context.Context, name string, tables []ReconcileTable, res *ReconcileReadResult) error {
	w, err := a.Warehouses.Warehouse(ctx, name)
	var unknown *warehouse.UnknownWarehouseError
	if errors.As(err, &unknown) {
		for _, t := range tables {
			res.Skipped = append(res.Skipped, ReconcileSkip{Dataset: t.Dataset, Reason: err.Error()})
		}
		return nil
	}
	if err != nil {
		return err
	}
	refs := make([]warehouse.TableRef, 0, len(tables))
	for _, t := range tables {
		ref, err := parseTable(t.Table)
		if err != nil {
			return err
		}
		refs = append(refs, ref)
	}
	acls, err := a.readACLs(ctx, w, refs)
	if err != nil {
		return fmt.Errorf("reading the grants of %d tables in warehouse %s: %w", len(refs), name, err)
	}
	for i, t := range tables {
		acl := acls.Tables[i]
		if acl.Missing {
			res.Skipped = append(res.Skipped, ReconcileSkip{Dataset: t.Dataset, Reason: "table " + t.Table + " not found"})
			continue
		}
		res.Checked++
		for _, g := range acl.Grants {
			if readsPII(g, t.PIIColumns) {
				res.Grants++
			}
		}
		res.Orphans = append(res.Orphans, findOrphans(t, acl, acls.Superusers)...)
	}
	return nil
}

// readACLs reads in one call where the warehouse can, else table by table
// (BigQuery: each table's IAM policy, its dataset's access entries and its
// columns' policy tags; no owner, no superusers there).
func (a *AccessReconcile) readACLs(ctx context.Context, w warehouse.Warehouse, refs []warehouse.TableRef) (warehouse.ACLs, error) {
	if r, ok := w.(aclReader); ok {
		a.count()
		return r.ACLs(ctx, refs)
	}
	out := warehouse.ACLs{Tables: make([]warehouse.TableACL, len(refs))}
	for i, ref := range refs {
		a.count()
		grants, err := readAccess(ctx, w, ref)
		switch {
		case errors.As(err, new(*warehouse.NotFoundError)):
			out.Tables[i] = warehouse.TableACL{Table: ref, Missing: true}
		case err != nil:
			return out, err
		default:
			out.Tables[i] = warehouse.TableACL{Table: ref, Grants: grants}
		}
		heartbeat(ctx, i)
	}
	return out, nil
}

// heartbeat reports progress when running as an activity; benchmarks and
// tests call the methods directly.
func heartbeat(ctx context.Context, progress int) {
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, progress)
	}
}
