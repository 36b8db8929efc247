package bqfake

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	bq "google.golang.org/api/bigquery/v2"
)

// Stored forms of the time types: fixed-width UTC text, so that SQLite's
// text comparison orders them in time.
const (
	timestampLayout = "2006-01-02T15:04:05.000000Z"
	datetimeLayout  = "2006-01-02T15:04:05.000000"
	dateLayout      = "2006-01-02"
)

// legacyNames maps GoogleSQL type names to the legacy names tables.get and
// query schemas use, which the client library expects.
var legacyNames = map[string]string{
	"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN", "STRUCT": "RECORD", "BIGDECIMAL": "BIGNUMERIC", "DECIMAL": "NUMERIC",
}

// sqliteTypes are the declared SQLite types per BigQuery type. SQLite
// reports a column's declared type back, which is how result columns get
// their BigQuery type. The names are chosen for their affinity (TEXT, not
// STRING, which SQLite would treat as numeric), and the time types are
// BQ_-prefixed because the driver turns text in DATE, DATETIME and
// TIMESTAMP columns into time.Time, which would lose the stored form.
var sqliteTypes = map[string]string{
	"STRING": "TEXT", "BYTES": "BLOB", "INTEGER": "INTEGER", "FLOAT": "FLOAT", "NUMERIC": "NUMERIC",
	"BIGNUMERIC": "NUMERIC", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "BQ_TIMESTAMP", "DATE": "BQ_DATE",
	"DATETIME": "BQ_DATETIME", "JSON": "JSON",
}

// typeOfDecl maps a declared SQLite type back to BigQuery's.
var typeOfDecl = map[string]string{
	"TEXT": "STRING", "BLOB": "BYTES", "INTEGER": "INTEGER", "FLOAT": "FLOAT", "NUMERIC": "NUMERIC",
	"BOOLEAN": "BOOLEAN", "BQ_TIMESTAMP": "TIMESTAMP", "BQ_DATE": "DATE", "BQ_DATETIME": "DATETIME", "JSON": "STRING",
}

// normalizeSchema puts legacy type names in a schema sent by a client and
// refuses what the stand-in cannot store.
func normalizeSchema(s *bq.TableSchema) *apiError {
	if s == nil || len(s.Fields) == 0 {
		return errInvalid("Schema is required: the stand-in has no schemaless tables")
	}
	for _, f := range s.Fields {
		if legacy, ok := legacyNames[f.Type]; ok {
			f.Type = legacy
		}
		if _, ok := sqliteTypes[f.Type]; !ok || f.Mode == "REPEATED" {
			return errInvalid("the BigQuery stand-in does not store %s %s columns (field: %s)", f.Mode, f.Type, f.Name)
		}
		if f.Mode == "" {
			f.Mode = "NULLABLE"
		}
	}
	return nil
}

var (
	timestampPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)
	datetimePattern  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$`)
	datePattern      = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
)

// inferType gives an expression column (no declared type) the type of its
// first non-NULL value; text in a stored time form is that time type.
func inferType(values []any) string {
	for _, v := range values {
		switch x := v.(type) {
		case int64:
			return "INTEGER"
		case float64:
			return "FLOAT"
		case []byte:
			return "BYTES"
		case string:
			switch {
			case timestampPattern.MatchString(x):
				return "TIMESTAMP"
			case datetimePattern.MatchString(x):
				return "DATETIME"
			case datePattern.MatchString(x):
				return "DATE"
			}
			return "STRING"
		}
	}
	return "STRING"
}

// timestampFormats are what clients send for TIMESTAMP parameters and
// literals; the Go client uses the first.
var timestampFormats = []string{
	"2006-01-02 15:04:05.999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999 MST", "2006-01-02 15:04:05.999999",
	"2006-01-02T15:04:05.999999", dateLayout,
}

func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range timestampFormats {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid timestamp: %q", s)
}

// storeTime converts a time literal or parameter to its stored form.
func storeTime(typ, s string) (string, error) {
	t, err := parseTimestamp(s)
	if err != nil {
		return "", err
	}
	switch typ {
	case "DATE":
		return t.Format(dateLayout), nil
	case "DATETIME":
		return t.Format(datetimeLayout), nil
	}
	return t.Format(timestampLayout), nil
}

// paramValue converts a query parameter to the value bound in SQLite.
func paramValue(p *bq.QueryParameter) (any, error) {
	if p.ParameterType == nil {
		return nil, fmt.Errorf("query parameter %s has no type", p.Name)
	}
	if p.ParameterValue == nil {
		return nil, nil
	}
	if slices.Contains(p.ParameterValue.NullFields, "Value") {
		return nil, nil
	}
	v := p.ParameterValue.Value
	switch typ := p.ParameterType.Type; typ {
	case "STRING":
		return coerceString(v), nil
	case "JSON", "GEOGRAPHY":
		return v, nil
	case "INT64", "INTEGER":
		return strconv.ParseInt(v, 10, 64)
	case "FLOAT64", "FLOAT", "NUMERIC", "BIGNUMERIC":
		return strconv.ParseFloat(v, 64)
	case "BOOL", "BOOLEAN":
		b, err := strconv.ParseBool(v)
		return map[bool]int64{true: 1, false: 0}[b], err
	case "TIMESTAMP", "DATE", "DATETIME":
		return storeTime(typ, v)
	case "BYTES":
		return base64.StdEncoding.DecodeString(v)
	default:
		return nil, fmt.Errorf("the BigQuery stand-in does not take %s parameters (@%s)", typ, p.Name)
	}
}

// stringTimestamp is a STRING parameter written like a timestamp.
var stringTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,9})?( ?(Z|UTC|[+-]\d\d(:\d\d)?))?$`)

// coerceString stands in for GoogleSQL's parameter coercion, which turns a
// STRING parameter into the TIMESTAMP it is compared with: text written
// like a timestamp is bound in the stored TIMESTAMP form. A date stays as
// it is, which is how DATE columns store it.
func coerceString(v string) string {
	if !stringTimestamp.MatchString(v) {
		return v
	}
	if t, err := parseTimestamp(v); err == nil {
		return t.Format(timestampLayout)
	}
	return v
}

// cell renders a stored value for a query result of the given type. With
// int64Timestamps (the client always asks for it) a TIMESTAMP is integer
// microseconds since the epoch, as a string.
func cell(v any, typ string, int64Timestamps bool) any {
	if v == nil {
		return nil
	}
	switch typ {
	case "TIMESTAMP":
		return timestampCell(v, int64Timestamps)
	case "BOOLEAN":
		return strconv.FormatBool(v != int64(0) && v != "0" && v != "false")
	case "BYTES":
		b, _ := v.([]byte)
		return base64.StdEncoding.EncodeToString(b)
	case "FLOAT":
		if i, ok := v.(int64); ok {
			return strconv.FormatInt(i, 10)
		}
	}
	switch x := v.(type) {
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func timestampCell(v any, int64Timestamps bool) any {
	var t time.Time
	switch x := v.(type) {
	case string:
		parsed, err := parseTimestamp(x)
		if err != nil {
			return x // not a timestamp after all: let the client complain
		}
		t = parsed
	case int64:
		t = time.UnixMicro(x)
	default:
		return fmt.Sprint(v)
	}
	if int64Timestamps {
		return strconv.FormatInt(t.UnixMicro(), 10)
	}
	return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'E', -1, 64)
}
