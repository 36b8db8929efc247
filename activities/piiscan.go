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
	// ContainsThreshold is the share of a free-text column's rows that
	// must mention one kind to flag it; 0 means
	// pii.DefaultContainsThreshold.
	ContainsThreshold float64 `json:"containsThreshold,omitempty"`
}

// PIIColumn is one column's verdict. Sample values never appear in it:
// it travels through workflow history and Slack.
type PIIColumn struct {
	Column string `json:"column"`
	// Path is where in the column the PII sits when that is not the
	// whole value: a JSON leaf such as payload.user.email.
	Path string `json:"path,omitempty"`
	// Mode is pii.ModeIs (the values are PII) or pii.ModeContains (free
	// text mentions it in Ratio of the rows).
	Mode string `json:"mode,omitempty"`
	// Found is the catalog kind detected, "" when none was.
	Found      catalog.PIIKind `json:"found,omitempty"`
	Confidence float64         `json:"confidence,omitempty"`
	Ratio      float64         `json:"ratio,omitempty"`
	Sampled    int             `json:"sampled"`
	// Reasons are the evidence for names and addresses and for mentions
	// in text, for people to judge.
	Reasons []string `json:"reasons,omitempty"`
	// Tagged is the column's tag in the catalog or the warehouse.
	Tagged catalog.PIIKind `json:"tagged,omitempty"`
}

// PIIHint is an untagged column whose name or comment suggests PII that
// the sample did not show: "likely PII, check".
type PIIHint struct {
	Column  string          `json:"column"`
	Kind    catalog.PIIKind `json:"kind"`
	Reason  string          `json:"reason"`
	Sampled int             `json:"sampled"`
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
	// Unchecked columns are tagged "other", which no detector finds.
	Unchecked []string `json:"unchecked,omitempty"`
	// Likely are untagged columns whose name or comment suggests PII.
	Likely []PIIHint `json:"likely,omitempty"`
	// SampleMethod is how the warehouse chose the sampled rows, and
	// TableRows its estimate of the table's size.
	SampleMethod string `json:"sampleMethod,omitempty"`
	TableRows    int64  `json:"tableRows,omitempty"`
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
	out := PIIDatasetScan{Dataset: in.Dataset, Table: in.Table, Columns: len(info.Columns),
		SampleMethod: sample.Method, TableRows: sample.TableRows}
	opts := pii.Options{Threshold: in.Threshold, ContainsThreshold: in.ContainsThreshold}
	for _, col := range info.Columns {
		out.add(classifyColumn(ref.Table, col, in.Tagged[col.Name], sample.Columns[col.Name], opts))
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
	column   string
	tagged   catalog.PIIKind
	sampled  int
	findings []PIIColumn
	hints    []PIIHint
}

// classifyColumn prefers the catalog's tag over the warehouse's: the
// catalog is what reviews and access requests read.
func classifyColumn(table string, col warehouse.Column, catalogTag catalog.PIIKind, values []string, opts pii.Options) columnVerdict {
	v := columnVerdict{column: col.Name, tagged: catalogTag}
	if v.tagged == "" {
		v.tagged = catalog.PIIKind(col.PII)
	}
	r := pii.Inspect(pii.ColumnInfo{Table: table, Name: col.Name, Type: col.Type, Comment: col.Comment}, values, opts)
	v.sampled = r.Sampled
	for _, f := range r.Findings {
		c := PIIColumn{Column: col.Name, Mode: f.Mode, Found: f.Kind.PIIKind(), Confidence: round3(f.Confidence),
			Ratio: round3(f.Ratio), Sampled: f.Sampled, Reasons: f.Reasons, Tagged: v.tagged}
		if f.Path != col.Name {
			c.Path = f.Path
		}
		v.findings = append(v.findings, c)
	}
	for _, h := range r.Hints {
		v.hints = append(v.hints, PIIHint{Column: col.Name, Kind: h.Kind.PIIKind(), Reason: h.Reason, Sampled: r.Sampled})
	}
	return v
}

func (s *PIIDatasetScan) add(v columnVerdict) {
	switch {
	case v.tagged == "":
		s.Untagged = append(s.Untagged, v.findings...)
		s.Likely = append(s.Likely, v.hints...)
	case !pii.Detectable(v.tagged):
		s.Unchecked = append(s.Unchecked, v.column)
		slices.Sort(s.Unchecked)
	case len(v.findings) == 0:
		s.Unconfirmed = append(s.Unconfirmed, PIIColumn{Column: v.column, Sampled: v.sampled, Tagged: v.tagged})
	}
}

// round3 keeps reports and histories readable.
func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
