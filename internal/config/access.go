package config

import "github.com/dre-dev/dre/internal/catalog"

// Access configures the access reconciler, which compares the grants on
// every PII table with the grants that should exist. Per-dataset settings
// (standing grants, what to do with orphans) are under each dataset's
// access: block.
type Access struct {
	// ReconcileEvery is how often the reconciler runs; unset means
	// workflows.DefaultAccessReconcileEvery (15m). A grant left behind by
	// a terminated access request lasts at most about this long.
	ReconcileEvery catalog.Duration `yaml:"reconcile_every"`
}
