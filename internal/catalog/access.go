package catalog

import (
	"fmt"
	"strings"
)

// Access is what a dataset declares about who may read it outside access
// requests: the standing grants, and what the access reconciler does with
// a grant that is neither standing nor given by a running access request.
// A deprecation's brownout end, cancel or restore gives back a read grant
// on a dataset with PII only when it is declared here or an access request
// holds it at that moment.
type Access struct {
	// Standing are grants that stay without a request: service roles,
	// dashboards, the team that builds the table.
	Standing []StandingGrant `yaml:"standing,omitempty" json:"standing,omitempty"`
	// Orphans is OrphansRevoke (the default when empty) or OrphansReport.
	Orphans string `yaml:"orphans,omitempty" json:"orphans,omitempty"`
}

// StandingGrant is one privilege a principal holds on the dataset's table,
// or on one of its columns, for good: a PostgreSQL role and privilege
// (SELECT...), or a BigQuery IAM member and role (roles/bigquery.dataViewer).
type StandingGrant struct {
	Principal string `yaml:"principal" json:"principal"`
	// Privilege is SELECT (the default) or another warehouse privilege.
	Privilege string `yaml:"privilege,omitempty" json:"privilege,omitempty"`
	// Column is "" for the whole table.
	Column string `yaml:"column,omitempty" json:"column,omitempty"`
}

// What the access reconciler does with an orphaned grant.
const (
	OrphansRevoke = "revoke"
	OrphansReport = "report"
)

// ReportsOrphans reports whether orphaned grants are only reported,
// never revoked.
func (a Access) ReportsOrphans() bool { return a.Orphans == OrphansReport }

// checkAccess requires a principal on every standing grant, a valid
// privilege where one is given, and a known orphan action.
func checkAccess(ps *problems, a Access) {
	if a.Orphans != "" && a.Orphans != OrphansRevoke && a.Orphans != OrphansReport {
		ps.addf("access.orphans", "orphans %q is not valid; want %q (the default) or %q", a.Orphans, OrphansRevoke, OrphansReport)
	}
	for i, g := range a.Standing {
		path := fmt.Sprintf("access.standing[%d]", i)
		if strings.TrimSpace(g.Principal) == "" {
			ps.addf(path+".principal", "principal is required: the role (PostgreSQL) or IAM member (BigQuery) that keeps access")
		}
		if g.Privilege != "" && !identifier.MatchString(g.Privilege) && !strings.HasPrefix(g.Privilege, "roles/") {
			ps.addf(path+".privilege", "privilege %q is not valid; write SELECT (the default) or a BigQuery role like roles/bigquery.dataViewer", g.Privilege)
		}
		checkIdentifier(ps, path+".column", g.Column)
	}
}
