package pii

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// maxJSONPaths bounds the leaves followed per column, so that a column of
// wildly varying documents cannot make a scan's report unbounded.
const maxJSONPaths = 200

// jsonLeaf is every value found at one path of a column's documents.
type jsonLeaf struct {
	path   string
	values []string
}

// contextName is the name detectors read for context: the leaf's key, or
// for a bare "name" its parent's too (customer.name, product.name).
func (l jsonLeaf) contextName() string {
	keys := strings.Split(strings.ReplaceAll(l.path, "[]", ""), ".")
	last := keys[len(keys)-1]
	if len(keys) > 2 && strings.EqualFold(last, "name") {
		return keys[len(keys)-2] + "_" + last
	}
	return last
}

// isJSONColumn reports whether a column holds documents: its type says
// so, or most of its values are JSON objects or arrays.
func isJSONColumn(typ string, values []string) bool {
	t := strings.ToUpper(typ)
	if t == "JSON" || t == "JSONB" || strings.HasPrefix(t, "STRUCT") || strings.HasPrefix(t, "RECORD") || strings.HasPrefix(t, "ARRAY") {
		return true
	}
	docs := 0
	for _, v := range values {
		v = strings.TrimSpace(v)
		if (strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[")) && json.Valid([]byte(v)) {
			docs++
		}
	}
	return len(values) > 0 && docs*5 >= len(values)*4
}

// jsonLeaves collects the string and number leaves of a column's
// documents by path, in path order. Values that are not JSON are skipped.
func jsonLeaves(column string, values []string) []jsonLeaf {
	byPath := map[string][]string{}
	for _, v := range values {
		dec := json.NewDecoder(bytes.NewReader([]byte(v)))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			continue
		}
		walkJSON(column, doc, byPath)
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range byPath {
			if !yield(p) {
				return
			}
		}
	})
	if len(paths) > maxJSONPaths {
		paths = paths[:maxJSONPaths]
	}
	out := make([]jsonLeaf, len(paths))
	for i, p := range paths {
		out[i] = jsonLeaf{path: p, values: byPath[p]}
	}
	return out
}

// walkJSON adds doc's leaves under path; a document nested as a string
// (JSON in a JSON string) is walked too, as warehouses often store it so.
func walkJSON(path string, doc any, byPath map[string][]string) {
	switch d := doc.(type) {
	case map[string]any:
		for k, v := range d {
			walkJSON(path+"."+k, v, byPath)
		}
	case []any:
		for _, v := range d {
			walkJSON(path+"[]", v, byPath)
		}
	case string:
		if t := strings.TrimSpace(d); strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
			var inner any
			if json.Unmarshal([]byte(t), &inner) == nil {
				walkJSON(path, inner, byPath)
				return
			}
		}
		if len(byPath[path]) < 10000 && (len(byPath) < maxJSONPaths*2 || byPath[path] != nil) {
			byPath[path] = append(byPath[path], d)
		}
	case json.Number:
		if len(byPath) < maxJSONPaths*2 || byPath[path] != nil {
			byPath[path] = append(byPath[path], d.String())
		}
	}
}
