package runbooks

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// jsonSchema is the part of a JSON Schema the tests read.
type jsonSchema struct {
	Schema               string                 `json:"$schema"`
	Ref                  string                 `json:"$ref"`
	Description          string                 `json:"description"`
	Properties           map[string]*jsonSchema `json:"properties"`
	AdditionalProperties json.RawMessage        `json:"additionalProperties"`
	Items                *jsonSchema            `json:"items"`
	Enum                 []string               `json:"enum"`
	OneOf                []*jsonSchema          `json:"oneOf"`
	AnyOf                []*jsonSchema          `json:"anyOf"`
	Required             []string               `json:"required"`
	Defs                 map[string]*jsonSchema `json:"$defs"`
}

// schemaWalker compares the schema with the Go types.
type schemaWalker struct {
	t    *testing.T
	root *jsonSchema
	seen map[reflect.Type]bool // structs compared already: Step contains Steps
}

func loadRunbookSchema(t *testing.T) *schemaWalker {
	t.Helper()
	var root jsonSchema
	if err := json.Unmarshal(Schema, &root); err != nil {
		t.Fatalf("runbook.schema.json is not valid JSON: %v", err)
	}
	return &schemaWalker{t: t, root: &root, seen: map[reflect.Type]bool{}}
}

// def returns a definition, failing the test when it is missing.
func (w *schemaWalker) def(ref string) *jsonSchema {
	d, ok := w.root.Defs[strings.TrimPrefix(ref, "#/$defs/")]
	if !ok || !strings.HasPrefix(ref, "#/$defs/") {
		w.t.Fatalf("$ref %s points nowhere", ref)
	}
	return d
}

// resolve follows $refs.
func (w *schemaWalker) resolve(n *jsonSchema) *jsonSchema {
	for n != nil && n.Ref != "" {
		n = w.def(n.Ref)
	}
	return n
}

// compare walks the Go type and the schema together.
func (w *schemaWalker) compare(path string, rt reflect.Type, n *jsonSchema) {
	n = w.resolve(n)
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	switch {
	case rt == onFailureType:
		// The mapping form is the alternative that has properties.
		i := slices.IndexFunc(n.OneOf, func(alt *jsonSchema) bool { return alt.Properties != nil })
		if i < 0 {
			w.t.Fatalf("%s: the schema has no mapping form of on_failure", path)
		}
		w.compare(path, reflect.TypeFor[failureBlock](), n.OneOf[i])
	case rt.Kind() == reflect.Struct:
		w.compareStruct(path, rt, n)
	case rt.Kind() == reflect.Slice && n.Items == nil:
		w.t.Errorf("%s: Go has a list, the schema no items", path)
	case rt.Kind() == reflect.Slice:
		w.compare(path+"[]", rt.Elem(), n.Items)
	case rt.Kind() == reflect.Map:
		var values jsonSchema
		if err := json.Unmarshal(n.AdditionalProperties, &values); err != nil {
			w.t.Errorf("%s: a free-form mapping needs additionalProperties as a schema", path)
		}
	}
}

// compareStruct checks that the schema has exactly the struct's keys,
// each with a description, and no others.
func (w *schemaWalker) compareStruct(path string, rt reflect.Type, n *jsonSchema) {
	if w.seen[rt] {
		return
	}
	w.seen[rt] = true
	if string(n.AdditionalProperties) != "false" {
		w.t.Errorf("%s: schema lacks additionalProperties: false", path)
	}
	fields := yamlnode.Fields(rt, yamlnode.Tagged)
	for key, index := range fields {
		prop, ok := n.Properties[key]
		if !ok {
			w.t.Errorf("%s: Go key %q is missing from the schema", path, key)
			continue
		}
		if prop.Description == "" && w.resolve(prop).Description == "" {
			w.t.Errorf("%s.%s: schema property has no description", path, key)
		}
		w.compare(strings.TrimPrefix(path+"."+key, "."), rt.Field(index).Type, prop)
	}
	for key := range n.Properties {
		if _, ok := fields[key]; !ok {
			w.t.Errorf("%s: schema key %q is missing from the Go types", path, key)
		}
	}
}

func TestSchemaMatchesGoTypes(t *testing.T) {
	w := loadRunbookSchema(t)
	if w.root.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q, want draft 2020-12", w.root.Schema)
	}
	w.compare("", reflect.TypeFor[Runbook](), w.root)
}

func TestSchemaEnums(t *testing.T) {
	w := loadRunbookSchema(t)
	var kinds []string
	for _, alt := range w.def("#/$defs/step").OneOf {
		kinds = append(kinds, alt.Required...)
	}
	onFailure := w.def("#/$defs/onFailure").OneOf
	tests := []struct {
		name      string
		got, want []string
	}{
		{"step kinds", kinds, strs(StepKinds())},
		{"input types", w.def("#/$defs/input").Properties["type"].Enum, strs(InputTypes())},
		{"severities", w.def("#/$defs/page").Properties["severity"].Enum, strs(Severities())},
		{"decisions", w.def("#/$defs/approve").Properties["default"].Enum, strs(Decisions())},
		{"on_failure", onFailure[0].Enum, strs([]FailureAction{FailureStop, FailureContinue})},
		{"then", onFailure[1].Properties["then"].Enum, strs([]FailureAction{FailureStop, FailureContinue})},
		{"checks", w.def("#/$defs/check").Properties["check"].AnyOf[0].Enum, checkKinds},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s enum = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestSchemaRefsResolve catches a $ref to a definition that was renamed.
func TestSchemaRefsResolve(t *testing.T) {
	w := loadRunbookSchema(t)
	var doc any
	if err := json.Unmarshal(Schema, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				w.def(ref)
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
}

func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
