package config

import (
	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/yamlnode"
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
				d.fail(path, src, "<< merges only mappings, got %s", yamlnode.Describe(src))
				continue
			}
			merged = append(merged, d.entries(path, target)...)
		}
	}
	return append(merged, own...)
}
