package activities

import (
	"maps"
	"slices"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// cell returns the value at row r, column c of a result, nil when absent.
func cell(res warehouse.QueryResult, r, c int) any {
	if r >= len(res.Rows) || c >= len(res.Rows[r]) {
		return nil
	}
	return res.Rows[r][c]
}

// asTime reads a timestamp or date cell.
func asTime(v any) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok && !t.IsZero()
}

// asInt reads a count, which adapters return as int64 (or float64 when the
// warehouse computes it as a float).
func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// sortedKeys makes the order of generated SQL and summaries stable.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// optional is a one-element list for a non-empty name, else empty.
func optional(name string) []string {
	if name == "" {
		return nil
	}
	return []string{name}
}
