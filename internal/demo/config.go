// Package demo holds dre's demo warehouse and catalog for dre dev --demo.
package demo

import _ "embed"

// Config is the demo dre.yaml: the embedded warehouse "local", embedded
// state, and the orders, customers, events and legacy_sessions datasets
// that Seed creates. It parses only with config.LoadOptions.AllowEmbedded.
//
//go:embed dre.yaml
var Config []byte
