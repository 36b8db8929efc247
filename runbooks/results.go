package runbooks

import (
	"maps"

	"github.com/expr-lang/expr/types"
)

// Step statuses, as expressions see them in steps.<id>.status.
const (
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // when was false, or the run never reached it
)

// commonFields are what every step reports, whatever its kind.
var commonFields = map[string]string{
	"status": "string", // StatusOK, StatusFailed or StatusSkipped
	"error":  "string", // why it failed
}

// checkFields are what a check measured. Which are filled depends on the
// check: lag, latest and as_of for freshness, rows for volume, null_rate
// for completeness, row for custom SQL; value is the measured number.
var checkFields = map[string]string{
	"passed":    "bool",
	"value":     "float",
	"lag":       "duration",
	"rows":      "int",
	"null_rate": "float",
	"latest":    "string", // YYYY-MM-DD of the newest data
	"as_of":     "string", // YYYY-MM-DD of the check
	"row":       "row",
	"message":   "string",
}

// kindFields are the results of each kind beyond the common ones.
var kindFields = map[StepKind]map[string]string{
	KindCheck:    checkFields,
	KindSQL:      {"rows": "int", "row": "row"},
	KindNotify:   {"channel": "string"},
	KindPage:     {"incident": "string"},
	KindApprove:  {"approved": "bool", "by": "string", "timed_out": "bool"},
	KindWait:     {"timed_out": "bool", "polls": "int"},
	KindBackfill: {"run": "string", "partitions": "int"},
	KindRunbook:  {"run": "string"},
	KindParallel: {},
}

// ResultFields returns what expressions and templates can read of a step
// of kind k after it ran, as field name → type: string, int, float, bool,
// duration, or row (a map from column names to values of any type). The
// interpreter fills these; a step's outputs add more.
func ResultFields(k StepKind) map[string]string {
	fields := maps.Clone(commonFields)
	maps.Copy(fields, kindFields[k])
	return fields
}

// fieldType maps a ResultFields type name to its expression type.
func fieldType(name string) types.Type {
	if name == "row" {
		return rowType
	}
	return InputType(name).exprType() // the other names are input types
}

// resultType is the expression type of a step's results plus its outputs.
// A step whose kind lint cannot tell (in a draft) may have any result.
func resultType(k StepKind, outputs map[string]types.Type) types.Map {
	m := types.Map{}
	for name, t := range ResultFields(k) {
		m[name] = fieldType(t)
	}
	if _, known := kindFields[k]; !known {
		m[types.Extra] = types.Any
	}
	maps.Copy(m, outputs)
	return m
}
