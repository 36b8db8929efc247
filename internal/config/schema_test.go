package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/yamlnode"
)

// schemaNode is the part of a JSON Schema the tests look at.
type schemaNode struct {
	Ref                  string                 `json:"$ref"`
	Schema               string                 `json:"$schema"`
	Description          string                 `json:"description"`
	Properties           map[string]*schemaNode `json:"properties"`
	AdditionalProperties json.RawMessage        `json:"additionalProperties"`
	Items                *schemaNode            `json:"items"`
	Enum                 []string               `json:"enum"`
	Defs                 map[string]*schemaNode `json:"$defs"`
}

func loadSchema(t *testing.T) *schemaNode {
	t.Helper()
	var root schemaNode
	if err := json.Unmarshal(Schema, &root); err != nil {
		t.Fatalf("dre.schema.json is not valid JSON: %v", err)
	}
	return &root
}

// resolve follows a local $ref.
func resolve(t *testing.T, root, n *schemaNode) *schemaNode {
	t.Helper()
	if n == nil || n.Ref == "" {
		return n
	}
	def, ok := root.Defs[strings.TrimPrefix(n.Ref, "#/$defs/")]
	if !ok {
		t.Fatalf("$ref %s points nowhere", n.Ref)
	}
	return resolve(t, root, def)
}

// mapValues returns the schema of a mapping's values.
func mapValues(t *testing.T, n *schemaNode) *schemaNode {
	var values schemaNode
	if err := json.Unmarshal(n.AdditionalProperties, &values); err != nil {
		t.Fatalf("additionalProperties of a free-form mapping is not a schema: %s", n.AdditionalProperties)
	}
	return &values
}

// compareKeys walks the Go type and the schema together, reporting keys
// that only one of them has and properties without a description.
func compareKeys(t *testing.T, root *schemaNode, path string, rt reflect.Type, n *schemaNode) {
	n = resolve(t, root, n)
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	switch {
	case rt == secretType:
		rt = reflect.TypeFor[struct {
			Env  string `yaml:"env"`
			File string `yaml:"file"`
		}]()
	case rt == timeType || reflect.PointerTo(rt).Implements(textUnmarshalerType):
		return
	}
	switch rt.Kind() {
	case reflect.Struct:
		compareStruct(t, root, path, rt, n)
	case reflect.Map:
		compareKeys(t, root, path+".*", rt.Elem(), mapValues(t, n))
	case reflect.Slice:
		if n.Items == nil {
			t.Errorf("%s: Go has a list, the schema no items", path)
			return
		}
		compareKeys(t, root, path+"[]", rt.Elem(), n.Items)
	}
}

func compareStruct(t *testing.T, root *schemaNode, path string, rt reflect.Type, n *schemaNode) {
	if string(n.AdditionalProperties) != "false" {
		t.Errorf("%s: schema lacks additionalProperties: false", path)
	}
	goKeys := yamlnode.Fields(rt, yamlnode.TaggedOrLower)
	for key, index := range goKeys {
		prop, ok := n.Properties[key]
		if !ok {
			t.Errorf("%s: Go key %q is missing from the schema", path, key)
			continue
		}
		if prop.Description == "" && resolve(t, root, prop).Description == "" {
			t.Errorf("%s.%s: schema property has no description", path, key)
		}
		compareKeys(t, root, strings.TrimPrefix(path+"."+key, "."), rt.Field(index).Type, prop)
	}
	for key := range n.Properties {
		if _, ok := goKeys[key]; !ok {
			t.Errorf("%s: schema key %q is missing from the Go types", path, key)
		}
	}
}

func TestSchemaMatchesGoTypes(t *testing.T) {
	root := loadSchema(t)
	if root.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q, want draft 2020-12", root.Schema)
	}
	compareKeys(t, root, "", reflect.TypeFor[document](), root)
}

func TestSchemaEnums(t *testing.T) {
	root := loadSchema(t)
	def := func(name string) *schemaNode { return resolve(t, root, &schemaNode{Ref: "#/$defs/" + name}) }
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"granularity", def("partition").Properties["granularity"].Enum, strs(catalog.Granularities())},
		{"slo kind", def("slo").Properties["kind"].Enum, strs(catalog.SLOKinds())},
		{"pii kind", mapValues(t, def("pii").Properties["columns"]).Enum, strs(catalog.PIIKinds())},
		{"final action", def("lifecycle").Properties["final_action"].Enum, strs(catalog.FinalActions())},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s enum = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestSchemaRefsResolve catches a $ref to a definition that was renamed.
func TestSchemaRefsResolve(t *testing.T) {
	var doc any
	if err := json.Unmarshal(Schema, &doc); err != nil {
		t.Fatalf("dre.schema.json is not valid JSON: %v", err)
	}
	root := loadSchema(t)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if ref, ok := child.(string); ok && k == "$ref" {
					if _, found := root.Defs[strings.TrimPrefix(ref, "#/$defs/")]; !found || !strings.HasPrefix(ref, "#/$defs/") {
						t.Errorf("%s: $ref %q does not resolve", path, ref)
					}
				}
				walk(path+"/"+k, child)
			}
		case []any:
			for i, child := range v {
				walk(fmt.Sprintf("%s/%d", path, i), child)
			}
		}
	}
	walk("#", doc)
}

func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
