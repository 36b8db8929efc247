package slo

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/goccy/go-yaml"

	"github.com/dre-dev/dre/internal/catalog"
)

// OpenSLO documents (https://openslo.com, v1). The SLI is a ratio metric.
// A ratio SLO's good and total are SQL metric sources (type PostgreSQL or
// BigQuery with a query); every other kind's source has type "dre" and
// carries the catalog fields, so another tool sees a standard SLO and dre
// can read its own export back.
type openSLO struct {
	APIVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   openMeta    `yaml:"metadata"`
	Spec       openSLOSpec `yaml:"spec"`
}

type openMeta struct {
	Name        string            `yaml:"name"`
	DisplayName string            `yaml:"displayName,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type openSLOSpec struct {
	Description     string           `yaml:"description,omitempty"`
	Service         string           `yaml:"service"`
	Indicator       openIndicator    `yaml:"indicator"`
	TimeWindow      []openTimeWindow `yaml:"timeWindow"`
	BudgetingMethod string           `yaml:"budgetingMethod"`
	Objectives      []openObjective  `yaml:"objectives"`
}

type openIndicator struct {
	Metadata openMeta `yaml:"metadata"`
	Spec     struct {
		RatioMetric struct {
			Counter bool       `yaml:"counter"`
			Good    openMetric `yaml:"good"`
			Total   openMetric `yaml:"total"`
		} `yaml:"ratioMetric"`
	} `yaml:"spec"`
}

type openMetric struct {
	MetricSource struct {
		Type string         `yaml:"type"`
		Spec openSourceSpec `yaml:"spec"`
	} `yaml:"metricSource"`
}

// openSourceSpec is a metric source's spec: for type dre the SLO as the
// catalog writes it, with its dataset; for an SQL source the query.
type openSourceSpec struct {
	Dataset string       `yaml:"dataset,omitempty"`
	Table   string       `yaml:"table,omitempty"`
	Query   string       `yaml:"query,omitempty"`
	SLO     *catalog.SLO `yaml:",inline"`
}

type openTimeWindow struct {
	Duration  string `yaml:"duration"`
	IsRolling bool   `yaml:"isRolling"`
}

type openObjective struct {
	DisplayName string  `yaml:"displayName,omitempty"`
	Target      float64 `yaml:"target"`
}

// metricSourceType is the OpenSLO metric source type dre reads and writes.
const metricSourceType = "dre"

// ExportOpenSLO writes one OpenSLO v1 SLO document per SLO of datasets.
// warehouseKinds ("postgres" or "bigquery" by warehouse name) names the
// metric source type of ratio SLOs.
func ExportOpenSLO(w io.Writer, datasets []catalog.Dataset, warehouseKinds map[string]string) error {
	for _, ds := range datasets {
		for _, s := range ds.SLOs {
			doc := openSLO{APIVersion: "openslo/v1", Kind: "SLO", Metadata: openMeta{Name: s.Name, DisplayName: ds.Name + " " + string(s.Kind)}}
			doc.Spec = openSLOSpec{
				Description: fmt.Sprintf("%s SLO of dre dataset %s, measured every %s", s.Kind, ds.Name, s.Interval),
				Service:     ds.Name, BudgetingMethod: "Occurrences",
				TimeWindow: []openTimeWindow{{Duration: s.Window.String(), IsRolling: true}},
				Objectives: []openObjective{{DisplayName: s.Name, Target: s.Objective}},
			}
			doc.Spec.Indicator.Metadata.Name = s.Name + "-sli"
			ratio := &doc.Spec.Indicator.Spec.RatioMetric
			ratio.Counter = true
			if s.Kind == catalog.Ratio {
				if err := sqlSources(&doc, s, warehouseKinds[ds.Warehouse]); err != nil {
					return fmt.Errorf("OpenSLO export of %s/%s: %w", ds.Name, s.Name, err)
				}
			} else {
				for _, m := range []*openMetric{&ratio.Good, &ratio.Total} {
					m.MetricSource.Type = metricSourceType
					m.MetricSource.Spec = openSourceSpec{Dataset: ds.Name, Table: ds.Table, SLO: &s}
				}
			}
			out, err := yaml.Marshal(doc)
			if err != nil {
				return fmt.Errorf("OpenSLO export of %s/%s: %w", ds.Name, s.Name, err)
			}
			if _, err := fmt.Fprintf(w, "---\n%s", out); err != nil {
				return err
			}
		}
	}
	return nil
}

// ImportOpenSLO reads OpenSLO v1 SLO documents written by ExportOpenSLO
// (metric source type dre), or whose ratio metric's good and total are
// PostgreSQL or BigQuery queries, and returns the SLOs by dataset (the
// document's service for SQL sources).
func ImportOpenSLO(data []byte) (map[string][]catalog.SLO, error) {
	out := map[string][]catalog.SLO{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 1; ; i++ {
		var doc openSLO
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("OpenSLO document %d: %w", i, err)
		}
		src := doc.Spec.Indicator.Spec.RatioMetric.Good.MetricSource
		switch {
		case doc.APIVersion != "openslo/v1" || doc.Kind != "SLO":
			return nil, fmt.Errorf("OpenSLO document %d is %s %s; only openslo/v1 SLO documents can be imported", i, doc.APIVersion, doc.Kind)
		case sqlSourceType(src.Type):
			s, err := ratioFromSQL(doc)
			if err != nil {
				return nil, fmt.Errorf("OpenSLO document %d (%s): %w", i, doc.Metadata.Name, err)
			}
			out[doc.Spec.Service] = append(out[doc.Spec.Service], s)
			continue
		case src.Type != metricSourceType || src.Spec.SLO == nil:
			return nil, fmt.Errorf("OpenSLO document %d (%s) measures with metricSource type %q; dre evaluates type %q (the catalog fields in its spec), or PostgreSQL and BigQuery sources with a query", i, doc.Metadata.Name, src.Type, metricSourceType)
		}
		s := *src.Spec.SLO
		if len(doc.Spec.Objectives) > 0 {
			s.Objective = doc.Spec.Objectives[0].Target
		}
		out[src.Spec.Dataset] = append(out[src.Spec.Dataset], s)
	}
}
