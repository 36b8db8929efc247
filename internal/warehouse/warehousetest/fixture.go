package warehousetest

import (
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

// ColumnType is one of the few portable column types the suite uses.
type ColumnType string

// The portable column types. Values in CreateTable rows are int64, string,
// float64, bool and time.Time (UTC; midnight for Date), or nil when the
// column is nullable.
const (
	Int64     ColumnType = "int64"
	String    ColumnType = "string"
	Float64   ColumnType = "float64"
	Bool      ColumnType = "bool"
	Timestamp ColumnType = "timestamp"
	Date      ColumnType = "date"
)

// ColumnSpec is one column of a table the suite asks the fixture to create.
type ColumnSpec struct {
	Name     string
	Type     ColumnType
	Nullable bool
}

// Fixture is what a backend's test provides to Run. Its methods are called
// from the suite's subtests, one at a time, and fail the given test
// themselves when the backend refuses.
type Fixture interface {
	// Warehouse is the adapter under test, connected as the user dre runs
	// as. The suite does not close it.
	Warehouse() warehouse.Warehouse
	// Schema creates a new, empty schema (dataset) and returns its name;
	// every call returns a different one.
	Schema(t testing.TB) string
	// CreateTable creates ref with the columns in order (nullability as
	// given) and inserts rows, each holding one value per column. The table
	// is owned by, and fully usable for, Warehouse's user.
	CreateTable(t testing.TB, ref warehouse.TableRef, cols []ColumnSpec, rows [][]any)
	// Qualified names ref in the dialect's SQL text: "s"."t" in
	// PostgreSQL, `project.dataset.t` in BigQuery.
	Qualified(ref warehouse.TableRef) string
	// TypeName is how Describe reports a column created with type c
	// ("bigint" in PostgreSQL, "INT64" in BigQuery).
	TypeName(c ColumnType) string
	// Principals returns two principals (roles, IAM members) that exist,
	// that Warehouse's user is not a member of, and that hold no privilege
	// on the suite's tables until the suite grants one.
	Principals() (a, b string)
	// Privileges returns a table-level privilege to grant (SELECT, or an
	// IAM role such as roles/bigquery.dataViewer) and a column-level one,
	// "" when the backend has no column-level grants.
	Privileges() (table, column string)
}
