// Package warehouse holds the types dre's activities exchange with data
// warehouses, and the registry that opens a warehouse by its dre.yaml name.
// Adapters live in subpackages (postgres/).
package warehouse

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TableRef names a table inside a warehouse: schema.table in PostgreSQL,
// dataset.table in BigQuery.
type TableRef struct {
	Schema string `json:"schema"`
	Table  string `json:"table"`
}

// ParseTableRef splits "schema.table".
func ParseTableRef(s string) (TableRef, error) {
	schema, table, ok := strings.Cut(s, ".")
	if !ok || schema == "" || table == "" || strings.Contains(table, ".") {
		return TableRef{}, fmt.Errorf("table %q: want schema.table", s)
	}
	return TableRef{Schema: schema, Table: table}, nil
}

// String returns "schema.table".
func (r TableRef) String() string { return r.Schema + "." + r.Table }

// TableProbe is a cheap look at a table's health.
type TableProbe struct {
	// Exists is false when the table is not in the warehouse.
	Exists bool `json:"exists"`
	// Rows is the exact row count.
	Rows int64 `json:"rows"`
	// Latest is the greatest value of the freshness column, nil when the
	// table is empty or has no freshness column.
	Latest *time.Time `json:"latest,omitempty"`
}

// Prober looks at a table. ProbeTable reports a missing table through
// TableProbe.Exists, not as an error, because a missing table is a finding.
type Prober interface {
	ProbeTable(ctx context.Context, ref TableRef, freshnessColumn string) (TableProbe, error)
}
