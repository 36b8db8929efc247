package bqfake

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/dgryski/go-farm"
	"modernc.org/sqlite"
)

var registerOnce sync.Once

// registerFunctions gives SQLite the GoogleSQL functions dre's statements
// use. SQLite's registry is process-wide, hence once.
func registerFunctions() {
	registerOnce.Do(func() {
		sqlite.MustRegisterDeterministicScalarFunction("farm_fingerprint", 1, farmFingerprint)
		sqlite.MustRegisterDeterministicScalarFunction("to_json_string", 1, toJSONString)
		sqlite.MustRegisterDeterministicScalarFunction("parse_json", 1, parseJSON)
		sqlite.MustRegisterScalarFunction("bq_now", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
			return time.Now().UTC().Format(timestampLayout), nil
		})
		sqlite.MustRegisterFunction("bit_xor", &sqlite.FunctionImpl{
			NArgs:         1,
			Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &bitXor{}, nil },
		})
	})
}

// farmFingerprint is FARM_FINGERPRINT: FarmHash Fingerprint64 of the text
// or bytes, as a signed INT64, which is BigQuery's definition.
func farmFingerprint(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch x := args[0].(type) {
	case nil:
		return nil, nil
	case string:
		return int64(farm.Fingerprint64([]byte(x))), nil
	case []byte:
		return int64(farm.Fingerprint64(x)), nil
	default:
		return nil, fmt.Errorf("FARM_FINGERPRINT takes STRING or BYTES, not %T", x)
	}
}

// toJSONString is TO_JSON_STRING of a scalar. TO_JSON_STRING of a whole
// row is translated into json_object instead (see translate.go).
func toJSONString(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	b, err := json.Marshal(args[0])
	return string(b), err
}

// parseJSON is PARSE_JSON: the text of a JSON value, stored as given, and
// an error for text that is not JSON, as BigQuery refuses it.
func parseJSON(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	s, ok := args[0].(string)
	switch {
	case args[0] == nil:
		return nil, nil
	case !ok:
		return nil, fmt.Errorf("PARSE_JSON takes a STRING, not %T", args[0])
	case !json.Valid([]byte(s)):
		return nil, fmt.Errorf("PARSE_JSON: invalid JSON input %q", s)
	}
	return s, nil
}

// bitXor is the BIT_XOR aggregate: NULL over no (non-NULL) rows.
type bitXor struct {
	acc  int64
	seen bool
}

// Step folds one row's value in; NULLs are skipped, as by BIT_XOR.
func (b *bitXor) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if v, ok := args[0].(int64); ok {
		b.acc ^= v
		b.seen = true
	}
	return nil
}

// WindowInverse undoes a Step: XOR is its own inverse.
func (b *bitXor) WindowInverse(ctx *sqlite.FunctionContext, args []driver.Value) error {
	return b.Step(ctx, args)
}

// WindowValue is the XOR so far, NULL when no value was seen.
func (b *bitXor) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if !b.seen {
		return nil, nil
	}
	return b.acc, nil
}

// Final has nothing to release.
func (b *bitXor) Final(*sqlite.FunctionContext) {}
