package bqfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	bq "google.golang.org/api/bigquery/v2"
)

// patchField applies one top-level field of a tables.patch body.
func (s *Server) patchField(meta *bq.Table, key, field string, raw json.RawMessage) *apiError {
	var err error
	switch field {
	case "description":
		meta.Description = ""
		err = json.Unmarshal(raw, &meta.Description)
	case "friendlyName":
		meta.FriendlyName = ""
		err = json.Unmarshal(raw, &meta.FriendlyName)
	case "expirationTime":
		meta.ExpirationTime, err = optionalInt(raw)
	case "labels":
		return patchLabels(meta, raw)
	case "schema":
		var schema bq.TableSchema
		if err := json.Unmarshal(raw, &schema); err != nil {
			return errInvalid("Invalid schema: %v", err)
		}
		return s.patchSchema(meta, key, &schema)
	case "tableReference", "etag", "kind", "id", "selfLink":
	default:
		return errInvalid("the BigQuery stand-in cannot patch %s", field)
	}
	if err != nil {
		return errInvalid("Invalid value for %s: %v", field, err)
	}
	return nil
}

// optionalInt reads an int64 sent as a string, or null.
func optionalInt(raw json.RawMessage) (int64, error) {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil || s == nil {
		return 0, err
	}
	return strconv.ParseInt(*s, 10, 64)
}

var labelKey = regexp.MustCompile(`^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}0-9_-]{0,62}$`)
var labelValue = regexp.MustCompile(`^[\p{Ll}\p{Lo}0-9_-]{0,63}$`)

// patchLabels sets the labels sent and deletes those sent as null.
func patchLabels(meta *bq.Table, raw json.RawMessage) *apiError {
	var labels map[string]*string
	if err := json.Unmarshal(raw, &labels); err != nil {
		return errInvalid("Invalid labels: %v", err)
	}
	if meta.Labels == nil {
		meta.Labels = map[string]string{}
	}
	for k, v := range labels {
		switch {
		case v == nil:
			delete(meta.Labels, k)
		case !labelKey.MatchString(k) || !labelValue.MatchString(*v):
			return errInvalid("Invalid label %q: %q", k, *v)
		default:
			meta.Labels[k] = *v
		}
	}
	return nil
}

// patchSchema replaces the schema. As in BigQuery, every existing column
// must still be there, in order and with its type; new columns go last
// and must be NULLABLE. Descriptions and policy tags may change.
func (s *Server) patchSchema(meta *bq.Table, key string, schema *bq.TableSchema) *apiError {
	if err := normalizeSchema(schema); err != nil {
		return err
	}
	old := meta.Schema.Fields
	if len(schema.Fields) < len(old) {
		return errInvalid("Provided Schema does not match Table %s:%s. Field %s is missing in new schema", s.Project, key, old[len(schema.Fields)].Name)
	}
	for i, f := range schema.Fields {
		switch {
		case i < len(old) && (f.Name != old[i].Name || f.Type != old[i].Type):
			return errInvalid("Provided Schema does not match Table %s:%s. Field %s has changed", s.Project, key, old[i].Name)
		case i >= len(old) && f.Mode != "NULLABLE":
			return errInvalid("Provided Schema does not match Table %s:%s. Cannot add required field %s", s.Project, key, f.Name)
		}
		if f.PolicyTags != nil && len(f.PolicyTags.Names) == 0 {
			f.PolicyTags = nil
		}
	}
	meta.Schema = schema
	return nil
}

// addColumns adds to storage the columns a patched schema added.
func (s *Server) addColumns(key string, old, schema *bq.TableSchema) *apiError {
	for _, f := range schema.Fields[len(old.Fields):] {
		q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", quoteIdent(s.sqlName(key)), quoteIdent(f.Name), sqliteTypes[f.Type])
		if _, err := s.db.Exec(q); err != nil {
			return sqliteError(err)
		}
	}
	return nil
}
