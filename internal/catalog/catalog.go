// Package catalog describes the datasets dre watches: their tables,
// owners, partitions, backfill sources, SLOs, PII and lifecycles, and
// checks that a description is complete and consistent.
//
// The types carry yaml and json tags with the same snake_case names, so
// they read straight from dre.yaml (see package config) and travel as
// Temporal workflow inputs unchanged.
package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Catalog is an immutable set of datasets, looked up by name.
type Catalog struct {
	byName map[string]Dataset
	names  []string
}

// New returns a catalog of datasets. When two datasets share a name the
// first wins; ValidateAll reports such duplicates before New is reached.
func New(datasets []Dataset) *Catalog {
	c := &Catalog{byName: make(map[string]Dataset, len(datasets))}
	for _, d := range datasets {
		if _, dup := c.byName[d.Name]; dup {
			continue
		}
		c.byName[d.Name] = d
		c.names = append(c.names, d.Name)
	}
	slices.Sort(c.names)
	return c
}

// Names returns the dataset names in sorted order. It is safe on a nil
// catalog, which is empty.
func (c *Catalog) Names() []string {
	if c == nil {
		return nil
	}
	return slices.Clone(c.names)
}

// Len returns the number of datasets.
func (c *Catalog) Len() int {
	if c == nil {
		return 0
	}
	return len(c.names)
}

// Datasets returns every dataset, sorted by name.
func (c *Catalog) Datasets() []Dataset {
	out := make([]Dataset, 0, c.Len())
	for _, name := range c.Names() {
		out = append(out, c.byName[name])
	}
	return out
}

// Lookup returns the dataset called name, or an *UnknownDatasetError that
// suggests close names.
func (c *Catalog) Lookup(name string) (Dataset, error) {
	if c != nil {
		if d, ok := c.byName[name]; ok {
			return d, nil
		}
	}
	known := c.Names()
	return Dataset{}, &UnknownDatasetError{Name: name, Known: known, Suggestions: Suggest(name, known)}
}

// UnknownDatasetError is returned by Lookup for a name not in the catalog.
type UnknownDatasetError struct {
	Name        string   // the name asked for
	Known       []string // every dataset name, sorted
	Suggestions []string // known names close to Name, closest first
}

// Error names the dataset, suggests close names and lists the known ones.
func (e *UnknownDatasetError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown dataset %q", e.Name)
	if len(e.Known) == 0 {
		b.WriteString("; the catalog is empty: add datasets to dre.yaml under datasets:")
		return b.String()
	}
	if len(e.Suggestions) > 0 {
		fmt.Fprintf(&b, "; did you mean %s? known datasets: ", orList(e.Suggestions))
	} else {
		b.WriteString("; known datasets: ")
	}
	b.WriteString(strings.Join(e.Known, ", "))
	return b.String()
}

// orList renders names as `"a"`, `"a" or "b"` or `"a", "b" or "c"`.
func orList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}
