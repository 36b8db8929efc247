package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage/dbt"
)

// Dbt points the catalog at a dbt manifest: its models, seeds, snapshots
// and sources join the datasets written in dre.yaml each time the file is
// loaded, so `dre schedules sync` picks up new models after `dbt compile`.
type Dbt struct {
	// Manifest is the manifest.json path, relative to dre.yaml's folder.
	Manifest string `yaml:"manifest"`
	// Warehouse is the warehouses: entry the manifest's tables live in.
	Warehouse string `yaml:"warehouse"`
}

// withManifest returns the hand-written datasets followed by the
// manifest's datasets whose names are not hand-written (a hand-written
// entry wins, so an owner or SLO can be added to a dbt model). A manifest
// that cannot be read or imported is a problem at dbt.manifest and adds
// nothing.
func (d *decoder) withManifest(cfg *Config, handWritten []catalog.Dataset) []catalog.Dataset {
	m := cfg.Dbt
	if _, written := d.ValueNodes["dbt"]; !written || d.hasProblemUnder("dbt") {
		return handWritten
	}
	switch {
	case m.Manifest == "":
		d.addPath("dbt", "dbt needs manifest: the path of dbt's target/manifest.json")
		return handWritten
	case m.Warehouse == "":
		d.addPath("dbt.manifest", "dbt needs warehouse: the warehouses: entry the manifest's tables live in")
		return handWritten
	}
	if _, ok := cfg.Warehouses[m.Warehouse]; !ok {
		// A broken warehouses section reports itself; every name would
		// look unknown.
		if !d.hasFailed("warehouses") {
			d.addPath("dbt.warehouse", unknownWarehouse(m.Warehouse, cfg.WarehouseNames()))
		}
		return handWritten
	}
	path := m.Manifest
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		d.addPath("dbt.manifest", fmt.Sprintf("cannot read the dbt manifest: %v; run dbt compile, or fix the path (relative to this file)", err))
		return handWritten
	}
	res, err := dbt.Import(data, m.Warehouse)
	if err != nil {
		d.addPath("dbt.manifest", fmt.Sprintf("dbt manifest %s: %v", m.Manifest, err))
		return handWritten
	}
	written := make(map[string]bool, len(handWritten))
	for _, ds := range handWritten {
		written[ds.Name] = true
	}
	out := handWritten
	for _, ds := range res.Datasets {
		if !written[ds.Name] {
			ds.FromManifest = true
			out = append(out, ds)
		}
	}
	return out
}

// hasProblemUnder reports a decoding problem at path or inside it (an
// unknown key, say), after which the section says nothing reliable.
func (d *decoder) hasProblemUnder(path string) bool {
	for _, p := range d.problems {
		if p.Path == path || strings.HasPrefix(p.Path, path+".") {
			return true
		}
	}
	return d.hasFailed(path)
}

// unknownWarehouse says what to write instead of an unknown warehouse.
func unknownWarehouse(name string, known []string) string {
	if len(known) == 0 {
		return fmt.Sprintf("warehouse %q is not in warehouses:; add it there", name)
	}
	return fmt.Sprintf("warehouse %q is not in warehouses:; name one of %s", name, strings.Join(known, ", "))
}

// placeManifestProblem moves a problem of a dataset that came from the
// manifest (index n or more) to dbt.manifest, naming the dataset, since
// dre.yaml has no entry to point at.
func placeManifestProblem(datasets []catalog.Dataset, n int, p catalog.Problem) catalog.Problem {
	rest, ok := strings.CutPrefix(p.Path, "datasets[")
	if !ok {
		return p
	}
	end := strings.IndexByte(rest, ']')
	i, err := strconv.Atoi(rest[:max(end, 0)])
	if end < 0 || err != nil || i < n || i >= len(datasets) {
		return p
	}
	field := strings.TrimPrefix(rest[end+1:], ".")
	where := "dataset " + strconv.Quote(datasets[i].Name)
	if field != "" {
		where += " " + field
	}
	return catalog.Problem{Path: "dbt.manifest", Message: fmt.Sprintf("%s (from the manifest): %s", where, p.Message)}
}
