package catalog

import (
	"strings"
	"time"
)

// Dataset is one table dre watches: where it lives, who owns it, how a
// partition is produced, its SLOs, PII and lifecycle. The json tags match
// the yaml ones so a Dataset can travel as a Temporal workflow input.
type Dataset struct {
	Name            string            `yaml:"name" json:"name"`
	Description     string            `yaml:"description,omitempty" json:"description,omitempty"`
	Warehouse       string            `yaml:"warehouse" json:"warehouse"`
	Table           string            `yaml:"table" json:"table"`
	Owner           Owner             `yaml:"owner,omitempty" json:"owner,omitzero"`
	Partition       *Partition        `yaml:"partition,omitempty" json:"partition,omitempty"`
	FreshnessColumn string            `yaml:"freshness_column,omitempty" json:"freshness_column,omitempty"`
	Source          *Source           `yaml:"source,omitempty" json:"source,omitempty"`
	SLOs            []SLO             `yaml:"slos,omitempty" json:"slos,omitempty"`
	PII             PII               `yaml:"pii,omitempty" json:"pii,omitzero"`
	Runbook         string            `yaml:"runbook,omitempty" json:"runbook,omitempty"`
	Labels          map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	Lifecycle       *Lifecycle        `yaml:"lifecycle,omitempty" json:"lifecycle,omitempty"`
	Access          Access            `yaml:"access,omitempty" json:"access,omitzero"`
	// Upstream lists what the table is computed from: other datasets by
	// name, or tables outside the catalog as schema.table.
	Upstream []string `yaml:"upstream,omitempty" json:"upstream,omitempty"`
	// FromManifest is set on datasets read from the dbt manifest dre.yaml
	// names (dbt:), whose upstream comes from dbt rather than by hand.
	FromManifest bool `yaml:"-" json:"-"`
	// UniqueKey lists the columns that identify a row (dbt's unique_key);
	// validation.unique checks it.
	UniqueKey []string `yaml:"unique_key,omitempty" json:"unique_key,omitempty"`
	// Validation is what the rows must satisfy (see checks.go).
	Validation *Validation `yaml:"validation,omitempty" json:"validation,omitempty"`
	// Backfill is how backfills of the dataset may read (see BackfillSettings).
	Backfill *BackfillSettings `yaml:"backfill,omitempty" json:"backfill,omitempty"`
}

// BackfillSettings limit what a backfill's SELECT may read and what a
// backfill may cost.
type BackfillSettings struct {
	// SelectRole is a PostgreSQL role the SELECT of every backfill of the
	// dataset runs as, so it reads only what that role may read: grant it
	// SELECT on the upstream tables and nothing else. A --select backfill
	// of a dataset without one waits for an approval.
	SelectRole string `yaml:"select_role,omitempty" json:"select_role,omitempty"`
	// Budget is the most a backfill of the dataset may cost without an
	// approval, in the warehouse's estimate unit; 0 sets no limit. The
	// workflow reads it from the worker's catalog, so a client cannot
	// start a run with a larger --budget, or none, to skip the approval.
	Budget float64 `yaml:"budget,omitempty" json:"budget,omitempty"`
}

// SelectRole is the role backfill SELECTs of d run as, "" for none.
func (d Dataset) SelectRole() string {
	if d.Backfill == nil {
		return ""
	}
	return d.Backfill.SelectRole
}

// SchemaTable splits Table into its schema (or BigQuery dataset) and table
// name. A table without a dot has an empty schema.
func (d Dataset) SchemaTable() (schema, table string) {
	schema, table, ok := strings.Cut(d.Table, ".")
	if !ok {
		return "", d.Table
	}
	return schema, table
}

// Owner says who answers for a dataset and where to reach them.
type Owner struct {
	Team             string `yaml:"team,omitempty" json:"team,omitempty"`
	SlackChannel     string `yaml:"slack_channel,omitempty" json:"slack_channel,omitempty"`
	PagerDutyService string `yaml:"pagerduty_service,omitempty" json:"pagerduty_service,omitempty"`
}

// Partition names the column that splits a dataset into partitions and
// the size of one partition.
type Partition struct {
	Column      string      `yaml:"column" json:"column"`
	Granularity Granularity `yaml:"granularity" json:"granularity"`
}

// Source says how one partition is produced during a backfill: either a
// SELECT template using {{ .From }} and {{ .To }}, or a table to copy from.
type Source struct {
	Select string `yaml:"select,omitempty" json:"select,omitempty"`
	Table  string `yaml:"table,omitempty" json:"table,omitempty"`
}

// SLO is one service-level objective. Which of the measurement fields
// apply depends on Kind: Threshold for freshness, MinRows and MaxRows for
// volume (0 means unbounded), Column and MaxNullRate for completeness and
// SQL (returning good and total) for custom, Good and Total (one SELECT
// each, returning one number, reading the interval as {{ .From }} and
// {{ .To }}) for ratio.
type SLO struct {
	Name        string   `yaml:"name" json:"name"`
	Kind        SLOKind  `yaml:"kind" json:"kind"`
	Threshold   Duration `yaml:"threshold,omitempty" json:"threshold,omitzero"`
	MinRows     int64    `yaml:"min_rows,omitempty" json:"min_rows,omitempty"`
	MaxRows     int64    `yaml:"max_rows,omitempty" json:"max_rows,omitempty"`
	Column      string   `yaml:"column,omitempty" json:"column,omitempty"`
	MaxNullRate float64  `yaml:"max_null_rate,omitempty" json:"max_null_rate,omitempty"`
	SQL         string   `yaml:"sql,omitempty" json:"sql,omitempty"`
	Good        string   `yaml:"good,omitempty" json:"good,omitempty"`
	Total       string   `yaml:"total,omitempty" json:"total,omitempty"`
	Objective   float64  `yaml:"objective" json:"objective"`
	Window      Duration `yaml:"window" json:"window"`
	Interval    Duration `yaml:"interval" json:"interval"`
}

// PII lists the columns of a dataset that hold personal data and the
// people who may approve access to them.
type PII struct {
	Columns   map[string]PIIKind `yaml:"columns,omitempty" json:"columns,omitempty"`
	Approvers []string           `yaml:"approvers,omitempty" json:"approvers,omitempty"`
	// MaxAccess caps how long an access request may last (default 30d).
	MaxAccess Duration `yaml:"max_access,omitempty" json:"max_access,omitzero"`
	// ReviewDefault is what an access review does with a grant nobody
	// decided on by the deadline: "revoke" (the default) or "keep".
	ReviewDefault string `yaml:"review_default,omitempty" json:"review_default,omitempty"`
}

// Governed reports whether access to the dataset is dre's to decide: it
// has PII columns or declares standing grants. Restores then give back
// only the declared and requested grants.
func (d Dataset) Governed() bool {
	return len(d.PII.Columns) > 0 || len(d.Access.Standing) > 0
}

// StandingPrivilege is the privilege a standing grant declares, SELECT
// when it names none.
func (g StandingGrant) StandingPrivilege() string {
	if g.Privilege == "" {
		return "SELECT"
	}
	return strings.ToUpper(g.Privilege)
}

// Lifecycle plans the deprecation of a dataset: reminders, brownouts, a
// soft delete and finally a drop or an archive.
type Lifecycle struct {
	DeprecateOn         Date        `yaml:"deprecate_on" json:"deprecate_on"`
	Replacement         string      `yaml:"replacement,omitempty" json:"replacement,omitempty"`
	GracePeriod         Duration    `yaml:"grace_period,omitempty" json:"grace_period,omitzero"`
	RemindEvery         Duration    `yaml:"remind_every,omitempty" json:"remind_every,omitzero"`
	Brownouts           []Brownout  `yaml:"brownouts,omitempty" json:"brownouts,omitempty"`
	SoftDeleteRetention Duration    `yaml:"soft_delete_retention,omitempty" json:"soft_delete_retention,omitzero"`
	FinalAction         FinalAction `yaml:"final_action" json:"final_action"`
	Approvers           []string    `yaml:"approvers,omitempty" json:"approvers,omitempty"`
	// UsageGate is how far back a read stops the soft delete and asks the
	// owner to continue or extend; 0 skips the gate.
	UsageGate Duration `yaml:"usage_gate,omitempty" json:"usage_gate,omitzero"`
	// ArchiveSchema receives the soft-deleted table; "" means dre_archive.
	ArchiveSchema string `yaml:"archive_schema,omitempty" json:"archive_schema,omitempty"`
	// Snapshot keeps a copy of the table, with its metadata, before the drop.
	Snapshot bool `yaml:"snapshot,omitempty" json:"snapshot,omitempty"`
}

// Brownout is a planned window during which a deprecated table is made
// unavailable, so that forgotten readers notice before the final drop.
type Brownout struct {
	Start    time.Time `yaml:"start" json:"start"`
	Duration Duration  `yaml:"duration" json:"duration"`
}
