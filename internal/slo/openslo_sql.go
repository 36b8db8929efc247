package slo

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
)

// intervalAnnotation keeps a ratio SLO's evaluation interval in its
// OpenSLO document, which has no field for one.
const intervalAnnotation = "dre.dev/interval"

// defaultRatioInterval is the interval of an imported ratio SLO whose
// document does not carry intervalAnnotation.
const defaultRatioInterval = "1h"

// sqlSourceTypes are the OpenSLO metric source types whose query dre runs
// on the warehouse of the same kind, by dre's warehouse kind.
var sqlSourceTypes = map[string]string{"postgres": "PostgreSQL", "bigquery": "BigQuery"}

// sqlSourceType reports whether t names a PostgreSQL or BigQuery source;
// OpenSLO tools differ in case, so the comparison ignores it.
func sqlSourceType(t string) bool {
	for _, name := range sqlSourceTypes {
		if strings.EqualFold(t, name) {
			return true
		}
	}
	return false
}

// sqlSources fills doc's ratio metric with s's good and total queries as
// sources of the type of warehouseKind, and keeps its interval.
func sqlSources(doc *openSLO, s catalog.SLO, warehouseKind string) error {
	typ, ok := sqlSourceTypes[warehouseKind]
	if !ok {
		return fmt.Errorf("ratio SLO on a warehouse of kind %q; OpenSLO sources exist for postgres and bigquery warehouses (is the dataset's warehouse configured?)", warehouseKind)
	}
	ratio := &doc.Spec.Indicator.Spec.RatioMetric
	for _, m := range []struct {
		metric *openMetric
		query  string
	}{{&ratio.Good, s.Good}, {&ratio.Total, s.Total}} {
		m.metric.MetricSource.Type = typ
		m.metric.MetricSource.Spec = openSourceSpec{Query: m.query}
	}
	doc.Metadata.Annotations = map[string]string{intervalAnnotation: s.Interval.String()}
	return nil
}

// ratioFromSQL reads a ratio SLO from a document whose good and total are
// SQL sources: its name, queries, objective, window and interval.
func ratioFromSQL(doc openSLO) (catalog.SLO, error) {
	ratio := doc.Spec.Indicator.Spec.RatioMetric
	good, total := ratio.Good.MetricSource, ratio.Total.MetricSource
	switch {
	case !strings.EqualFold(good.Type, total.Type):
		return catalog.SLO{}, fmt.Errorf("good is a %s source but total a %s one; both must read the same warehouse", good.Type, total.Type)
	case strings.TrimSpace(good.Spec.Query) == "" || strings.TrimSpace(total.Spec.Query) == "":
		return catalog.SLO{}, errors.New("ratioMetric needs good and total, each with metricSource.spec.query")
	case doc.Spec.Service == "":
		return catalog.SLO{}, errors.New("spec.service is empty; set it to the dre dataset the SLO belongs to")
	case len(doc.Spec.Objectives) == 0 || len(doc.Spec.TimeWindow) == 0:
		return catalog.SLO{}, errors.New("spec.objectives and spec.timeWindow are required: the target and the window it covers")
	}
	s := catalog.SLO{Name: doc.Metadata.Name, Kind: catalog.Ratio, Good: good.Spec.Query, Total: total.Spec.Query, Objective: doc.Spec.Objectives[0].Target}
	var err error
	if s.Window, err = catalog.ParseDuration(doc.Spec.TimeWindow[0].Duration); err != nil {
		return catalog.SLO{}, fmt.Errorf("spec.timeWindow[0].duration: %w", err)
	}
	interval := doc.Metadata.Annotations[intervalAnnotation]
	if interval == "" {
		interval = defaultRatioInterval
	}
	if s.Interval, err = catalog.ParseDuration(interval); err != nil {
		return catalog.SLO{}, fmt.Errorf("metadata.annotations[%s]: %w", intervalAnnotation, err)
	}
	return s, nil
}
