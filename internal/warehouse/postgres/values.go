package postgres

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// plainValue converts a value pgx decoded into one of the types
// QueryResult promises (int64, float64, string, bool, time.Time, nil), so
// results survive JSON and Temporal payloads unchanged.
func plainValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, float64:
		return x
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case time.Time:
		return x.UTC()
	case pgtype.Numeric:
		return numericValue(x)
	case []byte:
		return `\x` + hex.EncodeToString(x) // bytea, as PostgreSQL prints it
	case [16]byte:
		return uuidString(x)
	case map[string]any, []any:
		b, err := json.Marshal(x) // json, jsonb and arrays
		if err == nil {
			return string(b)
		}
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// numericValue keeps whole numbers exact as int64 (sum and count of
// integers are numeric in PostgreSQL) and turns the rest into float64.
func numericValue(n pgtype.Numeric) any {
	if !n.Valid {
		return nil
	}
	if n.NaN || n.InfinityModifier != pgtype.Finite {
		f, _ := n.Float64Value()
		return f.Float64
	}
	if n.Exp >= 0 && n.Int != nil {
		whole := new(big.Int).Mul(n.Int, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.Exp)), nil))
		if whole.IsInt64() {
			return whole.Int64()
		}
	}
	f, err := n.Float64Value()
	if err != nil {
		return math.NaN()
	}
	return f.Float64
}

func uuidString(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
