package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// ErrPIIFlow marks a --select refused because it copies a PII column into
// a column not tagged as PII (the workflows package checks the type).
const ErrPIIFlow = "PIIFlow"

// selectRoleChecker is a warehouse that can run a SELECT as a limited role
// and check that role (PostgreSQL); declared here, where it is needed.
type selectRoleChecker interface {
	CheckSelectRole(ctx context.Context, role string, sources []warehouse.TableRef) (warehouse.RoleCheck, error)
}

// selectTracer is a warehouse that can tell which table columns feed each
// column of a SELECT (PostgreSQL).
type selectTracer interface {
	TraceSelect(ctx context.Context, q warehouse.Query) ([]warehouse.OutputColumn, error)
}

// CheckSelectInput asks whether a backfill's own SELECT (--select) may
// run, and as whom.
type CheckSelectInput struct {
	// Dataset is the backfill's; the worker's catalog entry of the same
	// name, when there is one, is what the check trusts.
	Dataset catalog.Dataset `json:"dataset"`
	// Select is the rendered SELECT, reading @from and @to.
	Select string `json:"select"`
	// From and To bound a partition to plan the SELECT with.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// CheckSelectResult says how the SELECT may run.
type CheckSelectResult struct {
	// Role is the select role the rewrites run the SELECT as, "" for none.
	Role string `json:"role,omitempty"`
	// Holds are why the run must be approved before it writes: no select
	// role, or columns whose sources could not be traced.
	Holds []string `json:"holds,omitempty"`
	// Undeclared are tables the role reads beyond the declared sources.
	Undeclared []string `json:"undeclared,omitempty"`
}

// CheckSelect decides, before anything is written, how a --select backfill
// may run: as the dataset's select role when it has one (which must be
// limited and able to read the declared sources), else only once approved;
// and never when a result column copies a PII-tagged source column into a
// target column that is not tagged. A column it cannot trace holds the run
// for an approval.
func (b *Backfills) CheckSelect(ctx context.Context, in CheckSelectInput) (CheckSelectResult, error) {
	ds := b.trustedDataset(in.Dataset)
	// The table checked is the one the run writes, named by its input.
	ref, w, err := b.target(ctx, in.Dataset.Warehouse, in.Dataset.Table)
	if err != nil {
		return CheckSelectResult{}, err
	}
	var out CheckSelectResult
	if out.Role, out.Undeclared, err = b.checkRole(ctx, w, ds); err != nil {
		return out, err
	}
	if out.Role == "" {
		out.Holds = append(out.Holds, fmt.Sprintf("--select runs with the worker's full privileges: no backfill.select_role for %s", ds.Name))
	}
	hold, err := b.checkPIIFlow(ctx, w, ref, in, out.Role)
	if hold != "" {
		out.Holds = append(out.Holds, hold)
	}
	return out, err
}

// trustedDataset is the worker's catalog entry of ds, else ds itself.
func (b *Backfills) trustedDataset(ds catalog.Dataset) catalog.Dataset {
	if b.Catalog == nil {
		return ds
	}
	if trusted, err := b.Catalog.Lookup(ds.Name); err == nil {
		return trusted
	}
	return ds
}

// selectRole is the role a dataset's rewrites run their SELECT as: the
// worker catalog's, else the one the workflow passed.
func (b *Backfills) selectRole(dataset, given string) string {
	if b.Catalog == nil {
		return given
	}
	if ds, err := b.Catalog.Lookup(dataset); err == nil && ds.SelectRole() != "" {
		return ds.SelectRole()
	}
	return given
}

// checkRole checks the dataset's select role, if any, against its
// declared sources; an unfit role is a non-retryable error.
func (b *Backfills) checkRole(ctx context.Context, w warehouse.Warehouse, ds catalog.Dataset) (string, []string, error) {
	role := ds.SelectRole()
	if role == "" {
		return "", nil, nil
	}
	rc, ok := w.(selectRoleChecker)
	if !ok {
		msg := fmt.Sprintf("backfill.select_role of %s names a PostgreSQL role, and warehouse %q cannot run a SELECT as a role; remove it (a --select backfill there then waits for an approval)", ds.Name, ds.Warehouse)
		return "", nil, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	check, err := rc.CheckSelectRole(ctx, role, b.declaredSources(ds))
	if err != nil {
		return "", nil, backfillFailure(err)
	}
	if len(check.Problems) > 0 {
		msg := fmt.Sprintf("backfill.select_role %s of %s cannot be used: %s", role, ds.Name, strings.Join(check.Problems, "; "))
		return "", nil, temporal.NewNonRetryableApplicationError(msg, errPermissionDenied, nil)
	}
	if len(check.Undeclared) > 0 {
		activity.GetLogger(ctx).Warn("the select role reads tables that are not declared upstream", "role", role, "dataset", ds.Name, "tables", check.Undeclared)
	}
	return role, check.Undeclared, nil
}

// declaredSources are the tables of the dataset's upstream entries on its
// own warehouse: tables outside the catalog as written, datasets by their
// table (in the worker's catalog).
func (b *Backfills) declaredSources(ds catalog.Dataset) []warehouse.TableRef {
	var out []warehouse.TableRef
	for _, u := range ds.Upstream {
		name := u
		if !catalog.IsExternal(u) {
			up, ok := b.lookup(u)
			if !ok || up.Warehouse != ds.Warehouse {
				continue
			}
			name = up.Table
		}
		if ref, err := warehouse.ParseTableRef(name); err == nil {
			out = append(out, ref)
		}
	}
	return out
}

// lookup finds a dataset in the worker's catalog.
func (b *Backfills) lookup(name string) (catalog.Dataset, bool) {
	if b.Catalog == nil {
		return catalog.Dataset{}, false
	}
	ds, err := b.Catalog.Lookup(name)
	return ds, err == nil
}
