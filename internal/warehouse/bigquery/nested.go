package bigquery

import (
	"encoding/json"

	"cloud.google.com/go/bigquery"
)

// sampleText renders one sampled value of a column: a STRUCT or a
// REPEATED column as JSON with its field names, so that the PII scan
// can report a leaf by path (address.city, contacts[].email); anything
// else as text.
func sampleText(field *bigquery.FieldSchema, v bigquery.Value) string {
	if field == nil || (field.Type != bigquery.RecordFieldType && !field.Repeated) {
		return text(v)
	}
	b, err := json.Marshal(nested(field, v, field.Repeated))
	if err != nil {
		return text(v)
	}
	return string(b)
}

// nested turns a value the client returns positionally ([]Value for a
// STRUCT's fields and for a REPEATED column's elements) into maps keyed
// by the schema's field names.
func nested(field *bigquery.FieldSchema, v bigquery.Value, repeated bool) any {
	values, ok := v.([]bigquery.Value)
	switch {
	case v == nil:
		return nil
	case repeated && ok:
		out := make([]any, len(values))
		for i, e := range values {
			out[i] = nested(field, e, false)
		}
		return out
	case field.Type == bigquery.RecordFieldType && ok:
		out := map[string]any{}
		for i, f := range field.Schema {
			if i < len(values) {
				out[f.Name] = nested(f, values[i], f.Repeated)
			}
		}
		return out
	case field.Type == bigquery.JSONFieldType:
		if s, isText := v.(string); isText && json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
	}
	return text(v)
}

// schemaField finds a top-level field by name.
func schemaField(schema bigquery.Schema, name string) *bigquery.FieldSchema {
	for _, f := range schema {
		if f.Name == name {
			return f
		}
	}
	return nil
}
