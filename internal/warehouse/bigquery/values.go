package bigquery

import (
	"fmt"
	"math/big"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
)

// plainRow converts a row to the JSON-friendly types QueryResult promises.
func plainRow(row []bigquery.Value) []any {
	out := make([]any, len(row))
	for i, v := range row {
		out[i] = plain(v)
	}
	return out
}

// plain converts one BigQuery value. Dates and datetimes become UTC times,
// as PostgreSQL's do through pgx, so callers compare them the same way.
// NUMERIC becomes float64: dre compares counts and sums, not cents.
func plain(v bigquery.Value) any {
	switch x := v.(type) {
	case nil, int64, float64, bool, string:
		return x
	case time.Time:
		return x.UTC()
	case civil.Date:
		return x.In(time.UTC)
	case civil.DateTime:
		return x.In(time.UTC)
	case civil.Time:
		return x.String()
	case *big.Rat:
		f, _ := x.Float64()
		return f
	case []byte:
		return string(x)
	case []bigquery.Value:
		return plainRow(x)
	default:
		return fmt.Sprint(x)
	}
}

// text renders a value for Sample, which hands detectors strings.
func text(v bigquery.Value) string {
	switch x := plain(v).(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}
