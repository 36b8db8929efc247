package catalog

import (
	"fmt"
	"strings"
)

// checkSLOs validates every SLO of d and requires unique SLO names.
func checkSLOs(ps *problems, d Dataset) {
	first := map[string]int{}
	for i, s := range d.SLOs {
		path := fmt.Sprintf("slos[%d]", i)
		switch j, dup := first[s.Name]; {
		case s.Name == "":
			ps.addf(path+".name", "SLO name is required")
		case !sloName.MatchString(s.Name):
			ps.addf(path+".name", "SLO name %q must be lowercase letters, digits, _ or -, starting with a letter", s.Name)
		case dup:
			ps.addf(path+".name", "duplicate SLO name %q (also slos[%d]); SLO names must be unique within a dataset", s.Name, j)
		default:
			first[s.Name] = i
		}
		checkSLOTarget(ps, path, s)
		if !s.Kind.Valid() {
			ps.addf(path+".kind", "SLO kind %q is not valid; want one of %s", s.Kind, joinQuoted(SLOKinds()))
			continue
		}
		checkSLOFields(ps, path, s)
		checkSLOMeasure(ps, path, s, d.FreshnessColumn)
	}
}

// checkSLOTarget checks the objective and the evaluation schedule, which
// every kind shares.
func checkSLOTarget(ps *problems, path string, s SLO) {
	if s.Objective <= 0 || s.Objective >= 1 {
		ps.addf(path+".objective", "objective must be between 0 and 1 exclusive, like 0.99; got %v", s.Objective)
	}
	if s.Interval.Duration <= 0 {
		ps.addf(path+".interval", "interval must be positive, like 10m: how often the SLO is measured")
	}
	switch {
	case s.Window.Duration <= 0:
		ps.addf(path+".window", "window must be positive, like 28d: the period the objective covers")
	case s.Interval.Duration > 0 && s.Window.Duration < s.Interval.Duration:
		ps.addf(path+".window", "window (%s) must be at least interval (%s)", s.Window, s.Interval)
	}
}

// checkSLOFields rejects measurement fields that belong to another kind,
// which would otherwise be silently ignored.
func checkSLOFields(ps *problems, path string, s SLO) {
	fields := []struct {
		key  string
		set  bool
		kind SLOKind
	}{
		{"threshold", s.Threshold.Duration != 0, Freshness},
		{"min_rows", s.MinRows != 0, Volume},
		{"max_rows", s.MaxRows != 0, Volume},
		{"column", s.Column != "", Completeness},
		{"max_null_rate", s.MaxNullRate != 0, Completeness},
		{"sql", s.SQL != "", Custom},
		{"good", s.Good != "", Ratio},
		{"total", s.Total != "", Ratio},
	}
	for _, f := range fields {
		if f.set && f.kind != s.Kind {
			ps.addf(path+"."+f.key, "%s applies only to %s SLOs, not %s; remove it", f.key, f.kind, s.Kind)
		}
	}
}

// checkSLOMeasure checks the fields the SLO's kind requires.
func checkSLOMeasure(ps *problems, path string, s SLO, freshnessColumn string) {
	switch s.Kind {
	case Freshness:
		if s.Threshold.Duration <= 0 {
			ps.addf(path+".threshold", "freshness SLO needs a positive threshold, like 26h: the largest acceptable lag")
		}
		if freshnessColumn == "" {
			ps.addf(path+".kind", "freshness SLO needs freshness_column on the dataset: the column holding each row's load time")
		}
	case Volume:
		checkVolume(ps, path, s)
	case Completeness:
		if s.Column == "" {
			ps.addf(path+".column", "completeness SLO needs column: the column whose nulls are counted")
		}
		checkIdentifier(ps, path+".column", s.Column)
		if s.MaxNullRate < 0 || s.MaxNullRate > 1 {
			ps.addf(path+".max_null_rate", "max_null_rate must be between 0 and 1, got %v", s.MaxNullRate)
		}
	case Custom:
		if strings.TrimSpace(s.SQL) == "" {
			ps.addf(path+".sql", "custom SLO needs sql returning two columns, good and total")
		}
	case Ratio:
		checkRatio(ps, path, s)
	}
}

// checkVolume requires at least one non-negative row bound, in order.
func checkVolume(ps *problems, path string, s SLO) {
	switch {
	case s.MinRows < 0:
		ps.addf(path+".min_rows", "min_rows must not be negative, got %d", s.MinRows)
	case s.MaxRows < 0:
		ps.addf(path+".max_rows", "max_rows must not be negative, got %d", s.MaxRows)
	case s.MinRows == 0 && s.MaxRows == 0:
		ps.addf(path+".min_rows", "volume SLO needs min_rows or max_rows: bounds on the rows per partition")
	case s.MaxRows != 0 && s.MinRows > s.MaxRows:
		ps.addf(path+".max_rows", "max_rows (%d) must be at least min_rows (%d)", s.MaxRows, s.MinRows)
	}
}
