package activities

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Deprecations carries out the warehouse side of a dataset's deprecation:
// reading and marking its metadata, its usage, revoking and giving back
// reads, archiving, snapshotting, dropping and restoring it. Every method
// is idempotent, so a retry or a replayed worker crash never applies a
// step twice.
type Deprecations struct {
	Warehouses warehouseSource
	// Audit records the destructive steps. It is nil until the audit log
	// exists; nothing is recorded then.
	Audit auditor
	// Catalog is the worker's dre.yaml catalog, whose access.standing
	// DeprecateAllowedGrants reads; nil uses the deprecation's own copy.
	Catalog *catalog.Catalog
	// Ledger lists the running access requests; nil counts none.
	Ledger AccessLedger
}

// DeprecateTable names a dataset's table in its warehouse.
type DeprecateTable struct {
	Warehouse string `json:"warehouse"`
	// Table is schema.table.
	Table string `json:"table"`
}

// open returns the warehouse and the parsed table reference.
func (d *Deprecations) open(ctx context.Context, t DeprecateTable) (warehouse.Warehouse, warehouse.TableRef, error) {
	ref, err := warehouse.ParseTableRef(t.Table)
	if err != nil {
		return nil, ref, backfillFailure(&warehouse.InvalidIdentifierError{Name: t.Table})
	}
	w, err := d.Warehouses.Warehouse(ctx, t.Warehouse)
	if err != nil {
		return nil, ref, backfillFailure(err)
	}
	return w, ref, nil
}

// DeprecateReadMetadata returns the table's comment, labels, PII tags and
// grants: what a cancel must put back.
func (d *Deprecations) DeprecateReadMetadata(ctx context.Context, in DeprecateTable) (warehouse.TableMeta, error) {
	w, ref, err := d.open(ctx, in)
	if err != nil {
		return warehouse.TableMeta{}, err
	}
	meta, err := w.Metadata(ctx, ref)
	return meta, backfillFailure(err)
}

// DeprecateMarkInput is the comment and labels that announce a deprecation.
type DeprecateMarkInput struct {
	DeprecateTable
	Comment string            `json:"comment"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// DeprecateMark sets the table's comment and labels, so that anyone who
// looks at the table learns it is going away and what replaces it.
func (d *Deprecations) DeprecateMark(ctx context.Context, in DeprecateMarkInput) error {
	w, ref, err := d.open(ctx, in.DeprecateTable)
	if err != nil {
		return err
	}
	if err := w.SetComment(ctx, ref, in.Comment); err != nil {
		return backfillFailure(err)
	}
	return backfillFailure(w.SetLabels(ctx, ref, in.Labels))
}

// DeprecateUsageInput asks for the reads of a table since a time.
type DeprecateUsageInput struct {
	DeprecateTable
	Since time.Time `json:"since"`
}

// DeprecateReadUsage reports the table's reads since in.Since: who its
// consumers are, and whether it is still read. When a source of the reads
// cannot be read (a job history or replica dre may not see, a replica
// down), it says so in Unread rather than fail or report zero, so the
// usage gate holds and tells the owner why; retrying would not grant the
// missing privilege.
func (d *Deprecations) DeprecateReadUsage(ctx context.Context, in DeprecateUsageInput) (warehouse.Usage, error) {
	w, ref, err := d.open(ctx, in.DeprecateTable)
	if err != nil {
		return warehouse.Usage{}, err
	}
	u, err := w.Usage(ctx, ref, in.Since)
	if reason := usageUnreadable(err); reason != "" {
		return warehouse.Usage{Unread: reason}, nil
	}
	return u, backfillFailure(err)
}

// usageUnreadable is why the reads could not be counted, or "" when err is
// nil or a failure of another kind (a missing table, a bad name).
func usageUnreadable(err error) string {
	var (
		unreadable *warehouse.UsageUnreadableError
		denied     *warehouse.PermissionError
	)
	if errors.As(err, &unreadable) || errors.As(err, &denied) {
		return err.Error()
	}
	return ""
}

// DeprecateGrantsInput is a set of grants to take away or give back.
type DeprecateGrantsInput struct {
	DeprecateTable
	Grants []warehouse.Grant `json:"grants"`
	// Why is recorded in the audit log.
	Why string `json:"why,omitempty"`
}

// DeprecateRevokeReads revokes the read grants among in.Grants (see
// ReadGrants) and returns them, for DeprecateGrantBack. It works from the
// grants it is given rather than the table's current ones, so a retry
// after a partial revoke returns the same list.
func (d *Deprecations) DeprecateRevokeReads(ctx context.Context, in DeprecateGrantsInput) ([]warehouse.Grant, error) {
	w, ref, err := d.open(ctx, in.DeprecateTable)
	if err != nil {
		return nil, err
	}
	reads := ReadGrants(in.Grants)
	for i := range reads {
		reads[i].Table = ref
		if err := w.Revoke(ctx, reads[i]); err != nil {
			return nil, backfillFailure(err)
		}
	}
	return reads, d.audit(ctx, "deprecate.revoke-reads", in.Table, map[string]any{"grants": reads, "why": in.Why})
}

// DeprecateGrantBack gives the grants back on the table.
func (d *Deprecations) DeprecateGrantBack(ctx context.Context, in DeprecateGrantsInput) error {
	w, ref, err := d.open(ctx, in.DeprecateTable)
	if err != nil {
		return err
	}
	for _, g := range in.Grants {
		g.Table = ref
		if err := w.Grant(ctx, g); err != nil {
			return backfillFailure(err)
		}
	}
	return d.audit(ctx, "deprecate.grant-back", in.Table, map[string]any{"grants": in.Grants, "why": in.Why})
}

// Privileges that only read, and those that also write or own. A
// principal holding a write privilege keeps its reads: it is the owner
// or the pipeline that produces the table, and dre itself must still
// read the table to snapshot it.
var (
	readPrivileges  = []string{"SELECT", "roles/bigquery.dataViewer"}
	writePrivileges = []string{"INSERT", "UPDATE", "DELETE", "TRUNCATE", "roles/bigquery.dataEditor", "roles/bigquery.dataOwner", "roles/bigquery.admin"}
)

// ReadGrants returns the grants a brownout or a soft delete revokes: the
// read privileges of principals that hold no write privilege on the table.
func ReadGrants(grants []warehouse.Grant) []warehouse.Grant {
	writers := map[string]bool{}
	for _, g := range grants {
		if slices.Contains(writePrivileges, strings.ToUpper(g.Privilege)) || slices.Contains(writePrivileges, g.Privilege) {
			writers[g.Principal] = true
		}
	}
	var reads []warehouse.Grant
	for _, g := range grants {
		read := slices.Contains(readPrivileges, strings.ToUpper(g.Privilege)) || slices.Contains(readPrivileges, g.Privilege)
		if read && !writers[g.Principal] {
			reads = append(reads, g)
		}
	}
	return reads
}
