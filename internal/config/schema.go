package config

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of dre.yaml, for editors and
// for `dre config schema`. A test keeps it in step with the Go types.
//
//go:embed dre.schema.json
var Schema []byte
