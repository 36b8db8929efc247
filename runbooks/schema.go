package runbooks

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of runbook files, for editors
// and `dre runbook schema`. A test keeps it in step with the Go types.
//
//go:embed runbook.schema.json
var Schema []byte
