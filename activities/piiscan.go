package activities

import (
	"context"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/pii"
	"github.com/dre-dev/dre/internal/warehouse"
)

// piiWarehouses finds a warehouse by its dre.yaml name; the registry in
// internal/warehouse satisfies it.
type piiWarehouses interface {
	Warehouse(ctx context.Context, name string) (warehouse.Warehouse, error)
}

// piiTable is the slice of a warehouse the PII scan uses: it reads
// columns and values and writes nothing but tags.
type piiTable interface {
	Describe(ctx context.Context, ref warehouse.TableRef) (warehouse.TableInfo, error)
	Sample(ctx context.Context, ref warehouse.TableRef, columns []string, limit int) (warehouse.Sample, error)
	TagPII(ctx context.Context, ref warehouse.TableRef, column, kind string) error
}

// PIIScans samples catalog tables for personal data and tags columns.
// Warehouse errors go through backfillFailure, the package's one mapping
// of errors no retry can fix (missing table, bad name, no privilege).
type PIIScans struct {
	Warehouses piiWarehouses
}

// MaxPIISample bounds the values sampled per column: enough for a stable
// match ratio, few enough that a scan of a wide table stays cheap.
const MaxPIISample = 1000

// PIIScanInput names one catalog table to scan.
type PIIScanInput struct {
	Dataset   string `json:"dataset"`
	Warehouse string `json:"warehouse"`
	Table     string `json:"table"`
	// Tagged are the catalog's PII columns; the warehouse's own tags
	// (Describe) count as tags too.
	Tagged map[string]catalog.PIIKind `json:"tagged,omitempty"`
	// Limit is the values sampled per column, 1 to MaxPIISample.
	Limit int `json:"limit"`
	// Threshold is the match ratio that flags a column; 0 means
	// pii.DefaultThreshold.
	Threshold float64 `json:"threshold,omitempty"`
}

// PIIColumn is one column's verdict. Sample values never appear in it:
// it travels through workflow history and Slack.
type PIIColumn struct {
	Column string `json:"column"`
	// Found is the catalog kind detected, "" when none was.
	Found      catalog.PIIKind `json:"found,omitempty"`
	Confidence float64         `json:"confidence,omitempty"`
	Ratio      float64         `json:"ratio,omitempty"`
	Sampled    int             `json:"sampled"`
	// Tagged is the column's tag in the catalog or the warehouse.
	Tagged catalog.PIIKind `json:"tagged,omitempty"`
}

// PIIDatasetScan is what a scan of one table found.
type PIIDatasetScan struct {
	Dataset string `json:"dataset"`
	Table   string `json:"table"`
	Columns int    `json:"columns"`
	// Untagged columns hold PII and carry no tag.
	Untagged []PIIColumn `json:"untagged,omitempty"`
	// Unconfirmed columns are tagged with a kind a detector finds, yet
	// none was found in their sample: a stale tag, or an empty column.
	Unconfirmed []PIIColumn `json:"unconfirmed,omitempty"`
	// Unchecked columns are tagged with kinds no detector finds (names,
	// addresses).
	Unchecked []string `json:"unchecked,omitempty"`
}

// ScanDataset samples every column of a table and runs the detectors.
func (s *PIIScans) ScanDataset(ctx context.Context, in PIIScanInput) (PIIDatasetScan, error) {
	if in.Limit < 1 || in.Limit > MaxPIISample {
		return PIIDatasetScan{}, temporal.NewNonRetryableApplicationError(
			"a PII scan samples 1 to 1000 values per column; set the limit in that range", errInvalidInput, nil)
	}
	w, ref, err := s.open(ctx, in.Warehouse, in.Table)
	if err != nil {
		return PIIDatasetScan{}, err
	}
	info, err := w.Describe(ctx, ref)
	if err != nil {
		return PIIDatasetScan{}, backfillFailure(err)
	}
	sample, err := w.Sample(ctx, ref, nil, in.Limit)
	if err != nil {
		return PIIDatasetScan{}, backfillFailure(err)
	}
	out := PIIDatasetScan{Dataset: in.Dataset, Table: in.Table, Columns: len(info.Columns)}
	for _, col := range info.Columns {
		out.add(classifyColumn(col, in.Tagged[col.Name], sample.Columns[col.Name], in.Threshold))
	}
	return out, nil
}

// open resolves the warehouse and parses the table, failing for good on
// a name no retry can fix.
func (s *PIIScans) open(ctx context.Context, name, table string) (piiTable, warehouse.TableRef, error) {
	ref, err := parseTable(table)
	if err != nil {
		return nil, ref, err
	}
	w, err := s.Warehouses.Warehouse(ctx, name)
	if err != nil {
		return nil, ref, backfillFailure(err)
	}
	return w, ref, nil
}

// columnVerdict is one column with its tag and what the detectors said.
type columnVerdict struct {
	PIIColumn
	detectable bool
}

// classifyColumn prefers the catalog's tag over the warehouse's: the
// catalog is what reviews and access requests read.
func classifyColumn(col warehouse.Column, catalogTag catalog.PIIKind, values []string, threshold float64) columnVerdict {
	v := columnVerdict{PIIColumn: PIIColumn{Column: col.Name, Tagged: catalogTag}}
	if v.Tagged == "" {
		v.Tagged = catalog.PIIKind(col.PII)
	}
	m, found := pii.ScanColumn(col.Name, values, threshold)
	v.Sampled = m.Sampled
	if found {
		v.Found, v.Confidence, v.Ratio = m.Kind.PIIKind(), round3(m.Confidence), round3(m.Ratio)
	}
	v.detectable = v.Tagged != "" && pii.Detectable(v.Tagged)
	return v
}

func (s *PIIDatasetScan) add(v columnVerdict) {
	switch {
	case v.Tagged == "" && v.Found != "":
		s.Untagged = append(s.Untagged, v.PIIColumn)
	case v.Tagged != "" && !v.detectable:
		s.Unchecked = append(s.Unchecked, v.Column)
	case v.Tagged != "" && v.Found == "":
		s.Unconfirmed = append(s.Unconfirmed, v.PIIColumn)
	}
	slices.Sort(s.Unchecked)
}

// round3 keeps reports and histories readable.
func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
