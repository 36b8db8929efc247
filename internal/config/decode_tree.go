package config

import (
	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// unwrap looks through anchors, aliases and tags to the node that holds
// the value. An alias to an unknown anchor is a problem and gives nil.
func (d *decoder) unwrap(path string, n ast.Node) ast.Node {
	v, err := d.anchors.Resolve(n)
	if err != nil {
		d.fail(path, n, "%v", err)
	}
	return v
}

// entries returns a mapping's key-value pairs with merge keys (<<: *x)
// expanded (see yamlnode.Merge); a mapping that merges itself, directly
// or not, is a problem rather than endless recursion.
func (d *decoder) entries(path string, m *ast.MappingNode) []*ast.MappingValueNode {
	d.merging[m] = true
	defer delete(d.merging, m)
	resolve := func(n ast.Node) ast.Node { return d.unwrap(path, n) }
	bad := func(src ast.Node) { d.fail(path, src, "<< merges only mappings, got %s", yamlnode.Describe(src)) }
	return yamlnode.Merge(m, resolve, bad, func(src ast.Node, target *ast.MappingNode) []*ast.MappingValueNode {
		if d.merging[target] {
			d.fail(path, src, "<< merges a mapping into itself")
			return nil
		}
		return d.entries(path, target)
	})
}
