package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// diagnosisSource finds a warehouse by its dre.yaml name; the registry in
// internal/warehouse satisfies it.
type diagnosisSource interface {
	Warehouse(ctx context.Context, name string) (warehouse.Warehouse, error)
}

// diagnosable is the slice of a warehouse the diagnosis reads through:
// declared here so the checks can be proven against any read-only fake
// and can never reach the warehouse's write methods.
type diagnosable interface {
	Describe(ctx context.Context, ref warehouse.TableRef) (warehouse.TableInfo, error)
	Query(ctx context.Context, q warehouse.Query) (warehouse.QueryResult, error)
}

// identifierQuoter is implemented by warehouses whose SQL quotes
// identifiers some other way than ANSI double quotes (BigQuery's
// backticks). It is optional so that the adapters need not change.
type identifierQuoter interface {
	QuoteIdentifier(name string) string
}

// Diagnosis runs the read-only checks of an incident triage.
type Diagnosis struct {
	Warehouses diagnosisSource
	// Snapshots keeps tables' shapes for the schema drift check; nil (no
	// state database) limits that check to the catalog's columns.
	Snapshots SchemaSnapshots
}

// DiagnoseInput describes the table under diagnosis, from the catalog. Each
// check reads only the fields it needs and skips itself when they are empty.
type DiagnoseInput struct {
	// Dataset is the dre.yaml name, for the commands a finding suggests.
	Dataset   string `json:"dataset,omitempty"`
	Warehouse string `json:"warehouse"`
	Table     string `json:"table"`
	// FreshnessColumn and MaxLag: the freshness SLO.
	FreshnessColumn string        `json:"freshnessColumn,omitempty"`
	MaxLag          time.Duration `json:"maxLag,omitempty"`
	// PartitionColumn and Granularity: how the table is partitioned.
	PartitionColumn string              `json:"partitionColumn,omitempty"`
	Granularity     catalog.Granularity `json:"granularity,omitempty"`
	// BaselineDays of partitions make the volume baseline; a recent
	// partition is flagged outside MADFactor median absolute deviations,
	// or outside the volume SLO's MinRows..MaxRows (0 = unbounded).
	BaselineDays int     `json:"baselineDays,omitempty"`
	MADFactor    float64 `json:"madFactor,omitempty"`
	MinRows      int64   `json:"minRows,omitempty"`
	MaxRows      int64   `json:"maxRows,omitempty"`
	// MaxNullRates maps key columns to their completeness SLO.
	MaxNullRates map[string]float64 `json:"maxNullRates,omitempty"`
	// ExpectedColumns are the columns the catalog names.
	ExpectedColumns []string `json:"expectedColumns,omitempty"`
	// UniqueKey are the columns that identify a row, when declared.
	UniqueKey []string `json:"uniqueKey,omitempty"`
}

// Diagnosis check names, also the Finding.Check values.
const (
	CheckFreshness  = "freshness"
	CheckVolume     = "volume"
	CheckNulls      = "nulls"
	CheckSchema     = "schema"
	CheckDuplicates = "duplicates"
)

// Finding is the outcome of one diagnosis check.
type Finding struct {
	Check string `json:"check"`
	Table string `json:"table"`
	// Problem is true when the check found something wrong.
	Problem bool `json:"problem"`
	// Skipped is true when the catalog gives the check nothing to test.
	Skipped bool   `json:"skipped,omitempty"`
	Summary string `json:"summary"`
	// Partitions lists the partitions found wrong (start times, RFC 3339),
	// for offering a backfill of exactly those.
	Partitions []string  `json:"partitions,omitempty"`
	At         time.Time `json:"at"`
}

// target is a resolved, validated table in its warehouse.
type target struct {
	wh  diagnosable
	ref warehouse.TableRef
}

// open resolves the input's warehouse and table, validating every
// identifier the check will put into SQL text.
func (d *Diagnosis) open(ctx context.Context, in DiagnoseInput, columns ...string) (target, error) {
	ref, err := warehouse.ParseTableRef(in.Table)
	if err == nil {
		err = ref.Validate()
	}
	for _, c := range columns {
		if err == nil {
			err = warehouse.ValidIdentifier(c)
		}
	}
	if err != nil {
		return target{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%v (fix the dataset's entry in dre.yaml)", err), errInvalidInput, err)
	}
	w, err := d.Warehouses.Warehouse(ctx, in.Warehouse)
	var unknown *warehouse.UnknownWarehouseError
	if errors.As(err, &unknown) {
		return target{}, temporal.NewNonRetryableApplicationError(err.Error(), errUnknownWarehouse, err)
	}
	if err != nil {
		return target{}, err
	}
	return target{wh: w, ref: ref}, nil
}

// quote quotes one validated identifier in the warehouse's dialect.
func (t target) quote(name string) string {
	if q, ok := t.wh.(identifierQuoter); ok {
		return q.QuoteIdentifier(name)
	}
	return `"` + name + `"`
}

// table is the quoted schema.table.
func (t target) table() string { return t.quote(t.ref.Schema) + "." + t.quote(t.ref.Table) }

// quoteAll quotes and joins column names.
func (t target) quoteAll(columns []string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = t.quote(c)
	}
	return strings.Join(quoted, ", ")
}

// query runs a read-only statement. A missing table or column comes back
// as nf, not as an error, because it is a finding of the diagnosis.
func (t target) query(ctx context.Context, q warehouse.Query) (res warehouse.QueryResult, nf *warehouse.NotFoundError, err error) {
	res, err = t.wh.Query(ctx, q)
	if errors.As(err, &nf) {
		return res, nf, nil
	}
	if err != nil {
		return res, nil, fmt.Errorf("diagnosing %s: %w", t.ref, err)
	}
	return res, nil, nil
}

// notFound is the finding for a table or column that is not in the warehouse.
func (t target) notFound(check string, nf *warehouse.NotFoundError) Finding {
	return t.finding(check, true, "%s: %v", t.ref, nf)
}

// finding builds a Finding stamped with the time of the check.
func (t target) finding(check string, problem bool, format string, args ...any) Finding {
	return Finding{Check: check, Table: t.ref.String(), Problem: problem, Summary: fmt.Sprintf(format, args...), At: time.Now().UTC()}
}

// skipped is the finding for a check the catalog declares nothing for.
func skipped(in DiagnoseInput, check, why string) Finding {
	return Finding{Check: check, Table: in.Table, Skipped: true, Summary: why, At: time.Now().UTC()}
}
