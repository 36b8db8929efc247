package alerts

import (
	"fmt"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
)

// Rule maps the alerts whose labels all match to a dataset; dre.yaml's
// alerts.map holds them, tried in order.
type Rule struct {
	// Source limits the rule to one source; "" matches every source.
	Source  string
	Match   map[string]string
	Dataset string
}

// matches reports whether every label of the rule has the alert's value.
func (r Rule) matches(a Alert) bool {
	if r.Source != "" && r.Source != a.Source {
		return false
	}
	for k, v := range r.Match {
		if a.Labels[k] != v {
			return false
		}
	}
	return true
}

// Mapper finds the dataset an alert concerns.
type Mapper struct {
	rules   []Rule
	catalog *catalog.Catalog
	// tables are the catalog's tables, normalised, with their datasets.
	tables map[string][]catalog.Dataset
}

// NewMapper indexes the catalog's tables once.
func NewMapper(rules []Rule, c *catalog.Catalog) *Mapper {
	m := &Mapper{rules: rules, catalog: c, tables: map[string][]catalog.Dataset{}}
	for _, d := range c.Datasets() {
		t := normalTable(d.Table)
		m.tables[t] = append(m.tables[t], d)
	}
	return m
}

// Dataset finds a's dataset: the first matching rule; else a "dataset"
// label naming a catalog dataset; else the catalog dataset whose table is
// the alert's table, compared without case and quoting, with either side
// allowed to carry more qualifiers (project, database) than the other.
// miss says why none was found, for the sender and the log.
func (m *Mapper) Dataset(a Alert) (d catalog.Dataset, miss string) {
	for _, r := range m.rules {
		if r.matches(a) {
			d, err := m.catalog.Lookup(r.Dataset)
			if err != nil {
				return d, err.Error()
			}
			return d, ""
		}
	}
	if name := a.Labels["dataset"]; name != "" {
		if d, err := m.catalog.Lookup(name); err == nil {
			return d, ""
		}
	}
	if a.Table == "" {
		return d, "the alert names no table; add an alerts.map rule matching its labels"
	}
	found := m.byTable(normalTable(a.Table))
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		return d, fmt.Sprintf("no catalog dataset has table %q; add an alerts.map rule or the dataset", a.Table)
	}
	return d, fmt.Sprintf("table %q matches %d datasets; add an alerts.map rule to choose", a.Table, len(found))
}

// byTable returns the datasets of the table: an exact match wins over
// matches by suffix ("proj.sales.orders" and "sales.orders").
func (m *Mapper) byTable(t string) []catalog.Dataset {
	if exact := m.tables[t]; len(exact) > 0 {
		return exact
	}
	var found []catalog.Dataset
	for table, ds := range m.tables {
		if strings.HasSuffix(t, "."+table) || strings.HasSuffix(table, "."+t) {
			found = append(found, ds...)
		}
	}
	return found
}

// normalTable lower-cases a table name and drops quotes and BigQuery's
// project separator, so `proj:ds.t`, "ds"."t" and ds.t compare.
func normalTable(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	t = strings.NewReplacer("`", "", `"`, "", "[", "", "]", "", ":", ".").Replace(t)
	return t
}
