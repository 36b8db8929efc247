package runbooks

import (
	"embed"
)

// stockFiles are the runbooks shipped with dre.
//
//go:embed stock/*.yaml
var stockFiles embed.FS

// Stock returns the runbooks shipped with dre: stale-table, volume-drop,
// schema-drift and pii-leak. Their Source.File is stock/<name>.yaml.
func Stock() ([]*Runbook, error) {
	return LoadFS(stockFiles, "stock")
}
