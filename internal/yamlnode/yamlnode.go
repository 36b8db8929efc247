// Package yamlnode is dre's positional YAML decoder, shared by dre.yaml
// (internal/config) and runbooks (runbooks): Decoder walks goccy/go-yaml's
// syntax tree into Go values, reporting every problem with its position,
// resolving anchors, aliases and merge keys within an expansion budget;
// each format adds its special types and its problem sink through Hooks.
// The node helpers here say where a node starts, its text, how to name it
// in an error, and which struct field each key fills.
package yamlnode

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Position returns where n starts, 1-based; 0, 0 for no node. Block
// mappings report their first key rather than the parser's choice, the
// first colon.
func Position(n ast.Node) (line, col int) {
	switch t := n.(type) {
	case nil:
		return 0, 0
	case *ast.MappingNode:
		if !t.IsFlowStyle && len(t.Values) > 0 {
			return Position(t.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return Position(t.Key)
	}
	tk := n.GetToken()
	if tk == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// ScalarText returns the text of a scalar node as written, unquoted.
func ScalarText(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case *ast.StringNode:
		return n.Value, true
	case *ast.LiteralNode:
		return n.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

// Describe names what a node holds, for "want X, got Y" messages.
func Describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "nothing"
	}
	if text, ok := ScalarText(n); ok {
		return fmt.Sprintf("%q", text)
	}
	return strings.ToLower(n.Type().String())
}

// Naming gives the key a struct field is written under, "" for a field
// that is not in the file.
type Naming func(reflect.StructField) string

// Tagged names a field by its yaml tag only: yaml:"-", untagged and
// unexported fields are not in the file.
func Tagged(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// TaggedOrLower is Tagged, except that an untagged exported field is
// written under its name in lower case, as yaml libraries do.
func TaggedOrLower(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == "" {
		return strings.ToLower(f.Name)
	}
	return Tagged(f)
}

// Fields maps the key of each field of struct type t to its index.
func Fields(t reflect.Type, name Naming) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		if key := name(t.Field(i)); key != "" {
			fields[key] = i
		}
	}
	return fields
}

// Keys lists the keys of struct type t in declaration order.
func Keys(t reflect.Type, name Naming) []string {
	var keys []string
	for i := range t.NumField() {
		if key := name(t.Field(i)); key != "" {
			keys = append(keys, key)
		}
	}
	return keys
}
