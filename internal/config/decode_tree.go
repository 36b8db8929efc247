package config

import (
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// unwrap looks through anchors, aliases and tags to the node that holds
// the value. An alias to an unknown anchor is a problem and gives nil.
func (d *decoder) unwrap(path string, n ast.Node) ast.Node {
	for range 100 { // an alias chain longer than this is a cycle
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		case *ast.AliasNode:
			target, ok := d.anchors[t.Value.GetToken().Value]
			if !ok {
				d.fail(path, n, "alias *%s refers to no anchor", t.Value.GetToken().Value)
				return nil
			}
			n = target
		default:
			return n
		}
	}
	d.fail(path, n, "aliases refer to each other in a cycle")
	return nil
}

// collectAnchors records every anchor of the document up front, so an
// alias resolves even when its anchor sits under a key the decoder skips.
func (d *decoder) collectAnchors(root ast.Node) {
	ast.Walk(anchorVisitor(d.anchors), root)
}

// anchorVisitor is an ast.Visitor adding each anchor to the map.
type anchorVisitor map[string]ast.Node

// Visit records n when it is an anchor and keeps walking.
func (a anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if anchor, ok := n.(*ast.AnchorNode); ok {
		a[anchor.Name.GetToken().Value] = anchor.Value
	}
	return a
}

// entries returns a mapping's key-value pairs with merge keys (<<: *x)
// expanded. Merged pairs come first so the mapping's own keys override
// them, as YAML specifies.
func (d *decoder) entries(path string, m *ast.MappingNode) []*ast.MappingValueNode {
	var merged, own []*ast.MappingValueNode
	for _, kv := range m.Values {
		if !kv.Key.IsMergeKey() {
			own = append(own, kv)
			continue
		}
		sources := []ast.Node{kv.Value}
		if seq, ok := d.unwrap(path, kv.Value).(*ast.SequenceNode); ok {
			sources = seq.Values
		}
		for _, src := range sources {
			target, ok := d.unwrap(path, src).(*ast.MappingNode)
			if !ok {
				d.fail(path, src, "<< merges only mappings, got %s", describe(src))
				continue
			}
			merged = append(merged, d.entries(path, target)...)
		}
	}
	return append(merged, own...)
}

// position returns where n starts. Block mappings report their first
// key rather than the parser's choice, the first colon.
func position(n ast.Node) (line, col int) {
	switch t := n.(type) {
	case nil:
		return 0, 0
	case *ast.MappingNode:
		if !t.IsFlowStyle && len(t.Values) > 0 {
			return position(t.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return position(t.Key)
	}
	tk := n.GetToken()
	if tk == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// yamlFields maps the yaml key of each field of struct type t to its index.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			fields[name] = i
		}
	}
	return fields
}

// yamlKeys lists the yaml keys of struct type t in declaration order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// yamlName returns the key a field is written under, or "" for fields
// that are not in the file (yaml:"-" or unexported).
func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}
