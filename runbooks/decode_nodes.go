package runbooks

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// unwrap looks through anchors, aliases and tags to the node holding the
// value. An alias to an unknown anchor is a problem and gives nil.
func (d *decoder) unwrap(path string, n ast.Node) ast.Node {
	for range 64 { // a longer chain of aliases can only be a loop
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		case *ast.AliasNode:
			name := t.Value.GetToken().Value
			target, ok := d.anchors[name]
			if !ok {
				d.fail(path, "alias *%s refers to no anchor", name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
	d.fail(path, "aliases refer to each other in a loop")
	return nil
}

// anchorVisitor collects every anchor of a document up front, so that an
// alias resolves even when its anchor sits under a key the decoder skips.
type anchorVisitor map[string]ast.Node

// Visit records n when it is an anchor and keeps walking.
func (a anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if anchor, ok := n.(*ast.AnchorNode); ok && anchor.Name != nil {
		a[anchor.Name.GetToken().Value] = anchor.Value
	}
	return a
}

// entries returns a mapping's pairs with merge keys (<<: *x) expanded;
// merged pairs come first so that the mapping's own keys override them.
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
				d.fail(path, "<< merges only mappings, got %s", yamlnode.Describe(src))
				continue
			}
			if d.enter(path, position(src), target) {
				merged = append(merged, d.entries(path, target)...)
				delete(d.open, target)
			}
		}
	}
	return append(merged, own...)
}

// key returns the text and path of a mapping entry's key, recording
// where the key is: problems with a whole section read best at its name.
func (d *decoder) key(parent string, kv *ast.MappingValueNode) (string, string, bool) {
	key, ok := yamlnode.ScalarText(d.unwrap(parent, kv.Key))
	if !ok {
		d.fail(parent, "keys must be plain strings, got %s", yamlnode.Describe(kv.Key))
		return "", "", false
	}
	path := key
	if parent != "" {
		path = parent + "." + key
	}
	d.r.where.at[path] = position(kv.Key)
	return key, path, true
}

// remember records where the value at path is: scalars are reported at
// their value, and the text of a one-line scalar is located so that
// problems inside an expression point at the right column. Collections
// keep the position of their key when they have one.
func (d *decoder) remember(path string, n ast.Node) {
	p := position(n)
	if _, collection := n.(*ast.MappingNode); collection || isSequence(n) {
		if _, keyed := d.r.where.at[path]; !keyed {
			d.r.where.at[path] = p
		}
		return
	}
	d.r.where.at[path] = p
	tk := n.GetToken()
	if tk == nil || strings.Contains(strings.TrimSpace(tk.Origin), "\n") {
		return
	}
	switch tk.Type {
	case token.DoubleQuoteType, token.SingleQuoteType:
		d.r.where.text[path] = Position{Line: p.Line, Column: p.Column + 1}
	case token.StringType:
		d.r.where.text[path] = p
	}
}

// position is yamlnode.Position as a runbook Position.
func position(n ast.Node) Position {
	line, col := yamlnode.Position(n)
	return Position{Line: line, Column: col}
}

// isNull reports whether n is an empty value.
func isNull(n ast.Node) bool {
	_, ok := n.(*ast.NullNode)
	return ok
}

// isSequence reports whether n is a list.
func isSequence(n ast.Node) bool {
	_, ok := n.(*ast.SequenceNode)
	return ok
}
