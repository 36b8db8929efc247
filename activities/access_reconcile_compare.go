package activities

import (
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// ReconcileTable is one PII table to reconcile with the grants that
// should exist on it: the dataset's standing grants and those of the
// access requests running now. The table's owner and the warehouse's
// superusers are always expected; the warehouse names them.
type ReconcileTable struct {
	Dataset    string                  `json:"dataset"`
	Warehouse  string                  `json:"warehouse"`
	Table      string                  `json:"table"`
	PIIColumns []string                `json:"piiColumns,omitempty"`
	Standing   []catalog.StandingGrant `json:"standing,omitempty"`
	Active     []ActiveGrant           `json:"active,omitempty"`
	// ReportOnly reports orphans instead of revoking them (access.orphans: report).
	ReportOnly bool `json:"reportOnly,omitempty"`
}

// ActiveGrant is what a running access request gives, or is about to
// give: read access for Principal to the table, or to Columns of it.
type ActiveGrant struct {
	Dataset    string   `json:"dataset"`
	Principal  string   `json:"principal"`
	Columns    []string `json:"columns,omitempty"`
	WorkflowID string   `json:"workflowId"`
}

// Orphan is a grant that reads PII and that nothing explains: no standing
// grant, no running access request, not the owner.
type Orphan struct {
	Dataset    string          `json:"dataset"`
	Warehouse  string          `json:"warehouse"`
	Grant      warehouse.Grant `json:"grant"`
	ReportOnly bool            `json:"reportOnly,omitempty"`
}

// findOrphans compares a table's ACL with what t expects. Only grants
// that read data are reconciled (SELECT on the table or on a PII column;
// on BigQuery every IAM role on the table or its dataset, since each lets
// its member read it, and roles on a PII column's policy tag): writes
// reveal nothing and stay with the owners.
func findOrphans(t ReconcileTable, acl warehouse.TableACL, superusers []string) []Orphan {
	var out []Orphan
	for _, g := range acl.Grants {
		if !readsPII(g, t.PIIColumns) || expected(g, t, acl.Owner, superusers) {
			continue
		}
		out = append(out, Orphan{Dataset: t.Dataset, Warehouse: t.Warehouse, Grant: g, ReportOnly: t.ReportOnly})
	}
	return out
}

// readsPII reports whether g lets its principal read PII.
func readsPII(g warehouse.Grant, piiColumns []string) bool {
	if isIAMRole(g.Privilege) {
		return !ownsDataset(g) && (g.Column == "" || len(piiColumns) == 0 || slices.Contains(piiColumns, g.Column))
	}
	if !strings.EqualFold(g.Privilege, "SELECT") {
		return false
	}
	return g.Column == "" || len(piiColumns) == 0 || slices.Contains(piiColumns, g.Column)
}

// expected reports whether something explains g.
func expected(g warehouse.Grant, t ReconcileTable, owner string, superusers []string) bool {
	if owner != "" && samePrincipal(g.Principal, owner) {
		return true
	}
	if slices.ContainsFunc(superusers, func(s string) bool { return samePrincipal(g.Principal, s) }) {
		return true
	}
	// A standing privilege on the table covers the same privilege on any
	// of its columns; one on a column covers that column only.
	if slices.ContainsFunc(t.Standing, func(s catalog.StandingGrant) bool {
		return samePrincipal(g.Principal, s.Principal) && strings.EqualFold(g.Privilege, s.StandingPrivilege()) &&
			(s.Column == "" || s.Column == g.Column)
	}) {
		return true
	}
	return slices.ContainsFunc(t.Active, func(a ActiveGrant) bool { return a.gives(g) })
}

// gives reports whether the request gives g. A request for the table
// covers the table and its columns; a request for columns covers those
// columns only, never the whole table.
func (a ActiveGrant) gives(g warehouse.Grant) bool {
	if !samePrincipal(g.Principal, a.Principal) {
		return false
	}
	return len(a.Columns) == 0 || (g.Column != "" && slices.Contains(a.Columns, g.Column))
}

// explainedByActive reports whether a running request on the orphan's
// dataset gives it.
func explainedByActive(o Orphan, active []ActiveGrant) bool {
	return slices.ContainsFunc(active, func(a ActiveGrant) bool { return a.Dataset == o.Dataset && a.gives(o.Grant) })
}

// samePrincipal compares principals the way their warehouse does:
// PostgreSQL role names exactly (PUBLIC in any case), IAM members
// (kind:email) without regard to case.
func samePrincipal(a, b string) bool {
	if strings.EqualFold(a, "public") || strings.EqualFold(b, "public") || strings.Contains(a, ":") || strings.Contains(b, ":") {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// datasetOwnerRole is the IAM role of a BigQuery dataset's OWNER entries.
const datasetOwnerRole = "roles/bigquery.dataOwner"

// ownsDataset reports whether g is a BigQuery dataset's owner entry, or
// one of the project's groups (specialGroup:projectReaders...). Like a
// PostgreSQL table's owner they are expected: neither reviewed nor
// revoked, and the project's groups follow the project's IAM, which dre
// does not manage.
func ownsDataset(g warehouse.Grant) bool {
	return g.OnDataset && (g.Privilege == datasetOwnerRole || strings.HasPrefix(g.Principal, "specialGroup:"))
}

// isIAMRole tells a BigQuery IAM role (roles/..., projects/p/roles/...)
// from a PostgreSQL privilege.
func isIAMRole(privilege string) bool { return strings.Contains(privilege, "/") }
