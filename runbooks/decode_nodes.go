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
	v, err := d.anchors.Resolve(n)
	if err != nil {
		d.fail(path, "%v", err)
	}
	return v
}

// entries returns a mapping's pairs with merge keys (<<: *x) expanded
// (see yamlnode.Merge); a mapping that merges itself, directly or not,
// is a problem rather than endless recursion.
func (d *decoder) entries(path string, m *ast.MappingNode) []*ast.MappingValueNode {
	resolve := func(n ast.Node) ast.Node { return d.unwrap(path, n) }
	bad := func(src ast.Node) { d.fail(path, "<< merges only mappings, got %s", yamlnode.Describe(src)) }
	return yamlnode.Merge(m, resolve, bad, func(src ast.Node, target *ast.MappingNode) []*ast.MappingValueNode {
		if !d.enter(path, position(src), target) {
			return nil
		}
		defer delete(d.open, target)
		return d.entries(path, target)
	})
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
