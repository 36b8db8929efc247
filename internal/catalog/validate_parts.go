package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkSource requires exactly one of select and table, and a select
// template that only uses .From and .To.
func checkSource(ps *problems, s *Source, partitioned bool) {
	if s == nil {
		return
	}
	hasSelect, hasTable := strings.TrimSpace(s.Select) != "", s.Table != ""
	switch {
	case hasSelect && hasTable:
		ps.addf("source", "set either source.select or source.table, not both")
	case !hasSelect && !hasTable:
		ps.addf("source", "source needs select (a SELECT using {{ .From }} and {{ .To }}) or table (a table to copy from)")
	case hasSelect:
		if _, err := parseSelect(s.Select); err != nil {
			ps.addf("source.select", "%v", err)
		}
	default:
		checkTable(ps, "source.table", s.Table, true)
		if !partitioned {
			ps.addf("source.table", "copying from a table needs partition.column to filter it by; add a partition or use source.select")
		}
	}
}

// checkPII requires identifier column names and known PII kinds.
func checkPII(ps *problems, p PII) {
	for _, col := range slices.Sorted(maps.Keys(p.Columns)) {
		kind, path := p.Columns[col], "pii.columns."+col
		checkIdentifier(ps, path, col)
		if !kind.Valid() {
			ps.addf(path, "PII kind %q is not valid; want one of %s", kind, joinQuoted(PIIKinds()))
		}
	}
	checkApprovers(ps, "pii.approvers", p.Approvers)
	if p.ReviewDefault != "" && p.ReviewDefault != "revoke" && p.ReviewDefault != "keep" {
		ps.addf("pii.review_default", "review default %q is not valid; want \"revoke\" or \"keep\"", p.ReviewDefault)
	}
	if p.MaxAccess.Duration < 0 {
		ps.addf("pii.max_access", "max access %s is negative; write a duration like 30d", p.MaxAccess)
	}
}

// checkAccess requires a principal on every standing grant, and
// identifier-safe names where dre quotes them into SQL.
func checkAccess(ps *problems, a *Access) {
	if a == nil {
		return
	}
	for i, g := range a.Standing {
		path := fmt.Sprintf("access.standing[%d]", i)
		if g.Principal == "" {
			ps.addf(path+".principal", "principal is required: the warehouse role (or BigQuery member) that keeps access")
		}
		if g.Privilege != "" && !identifier.MatchString(g.Privilege) && !strings.HasPrefix(g.Privilege, "roles/") {
			ps.addf(path+".privilege", "privilege %q is not valid; write SELECT (the default) or a BigQuery role like roles/bigquery.dataViewer", g.Privilege)
		}
		checkIdentifier(ps, path+".column", g.Column)
	}
}

// checkLifecycle requires a deprecation date and a final action, and
// rejects negative periods and empty brownouts.
func checkLifecycle(ps *problems, l *Lifecycle) {
	if l == nil {
		return
	}
	if l.DeprecateOn.IsZero() {
		ps.addf("lifecycle.deprecate_on", "lifecycle.deprecate_on is required (YYYY-MM-DD)")
	}
	checkTable(ps, "lifecycle.replacement", l.Replacement, false)
	periods := []struct {
		key string
		d   Duration
	}{{"grace_period", l.GracePeriod}, {"remind_every", l.RemindEvery}, {"soft_delete_retention", l.SoftDeleteRetention}}
	for _, p := range periods {
		if p.d.Duration < 0 {
			ps.addf("lifecycle."+p.key, "%s must not be negative, got %s", p.key, p.d)
		}
	}
	if l.UsageGate.Duration < 0 {
		ps.addf("lifecycle.usage_gate", "usage_gate must not be negative, got %s", l.UsageGate)
	}
	if l.ArchiveSchema != "" && !identifier.MatchString(l.ArchiveSchema) {
		ps.addf("lifecycle.archive_schema", "archive_schema %q must be letters, digits or _, not starting with a digit", l.ArchiveSchema)
	}
	checkBrownouts(ps, l.Brownouts)
	if !l.FinalAction.Valid() {
		ps.addf("lifecycle.final_action", "final_action %q is not valid; want one of %s", l.FinalAction, joinQuoted(FinalActions()))
	}
	checkApprovers(ps, "lifecycle.approvers", l.Approvers)
}

// checkBrownouts requires a start and a positive length for each brownout.
func checkBrownouts(ps *problems, brownouts []Brownout) {
	for i, b := range brownouts {
		path := fmt.Sprintf("lifecycle.brownouts[%d]", i)
		if b.Start.IsZero() {
			ps.addf(path+".start", "brownout start is required (RFC 3339, like 2027-02-15T14:00:00Z)")
		}
		if b.Duration.Duration <= 0 {
			ps.addf(path+".duration", "brownout duration must be positive, got %s", b.Duration)
		}
	}
}

// checkApprovers rejects blank approvers, which would match nobody.
func checkApprovers(ps *problems, path string, approvers []string) {
	for i, a := range approvers {
		if strings.TrimSpace(a) == "" {
			ps.addf(fmt.Sprintf("%s[%d]", path, i), "approver is empty; use a Slack user ID or an email")
		}
	}
}
