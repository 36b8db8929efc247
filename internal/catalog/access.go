package catalog

import (
	"fmt"
	"strings"
)

// Access is what a dataset declares about who may read it outside access
// requests: the standing grants, and what the access reconciler does with
// a grant that is neither standing nor given by a running access request.
type Access struct {
	// Standing are grants that stay without a request: service roles,
	// dashboards, the team that builds the table.
	Standing []StandingGrant `yaml:"standing,omitempty" json:"standing,omitempty"`
	// Orphans is OrphansRevoke (the default when empty) or OrphansReport.
	Orphans string `yaml:"orphans,omitempty" json:"orphans,omitempty"`
}

// StandingGrant is one privilege a principal holds on the dataset's table
// for good: a PostgreSQL role and privilege (SELECT...), or a BigQuery
// IAM member and role (roles/bigquery.dataViewer).
type StandingGrant struct {
	Principal string `yaml:"principal" json:"principal"`
	Privilege string `yaml:"privilege" json:"privilege"`
}

// What the access reconciler does with an orphaned grant.
const (
	OrphansRevoke = "revoke"
	OrphansReport = "report"
)

// ReportsOrphans reports whether orphaned grants are only reported,
// never revoked.
func (a Access) ReportsOrphans() bool { return a.Orphans == OrphansReport }

// checkAccess requires complete standing grants and a known orphan action.
func checkAccess(ps *problems, a Access) {
	if a.Orphans != "" && a.Orphans != OrphansRevoke && a.Orphans != OrphansReport {
		ps.addf("access.orphans", "orphans %q is not valid; want %q (the default) or %q", a.Orphans, OrphansRevoke, OrphansReport)
	}
	for i, g := range a.Standing {
		path := fmt.Sprintf("access.standing[%d]", i)
		if strings.TrimSpace(g.Principal) == "" {
			ps.addf(path+".principal", "principal is required: the role (PostgreSQL) or IAM member (BigQuery) that keeps access")
		}
		if strings.TrimSpace(g.Privilege) == "" {
			ps.addf(path+".privilege", "privilege is required, like SELECT (PostgreSQL) or roles/bigquery.dataViewer (BigQuery)")
		}
	}
}
