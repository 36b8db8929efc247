package yamlnode

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// Anchors maps each anchor name of a document to the node it anchors.
type Anchors map[string]ast.Node

// Collect records every anchor under root up front, so that an alias
// resolves even when its anchor sits under a key the decoder skips.
func (a Anchors) Collect(root ast.Node) {
	ast.Walk(anchorVisitor(a), root)
}

// anchorVisitor is an ast.Visitor adding each anchor to the map.
type anchorVisitor Anchors

// Visit records n when it is an anchor and keeps walking.
func (a anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if anchor, ok := n.(*ast.AnchorNode); ok && anchor.Name != nil {
		a[anchor.Name.GetToken().Value] = anchor.Value
	}
	return a
}

// maxAliasChain bounds alias-to-alias hops: a longer chain is a loop.
const maxAliasChain = 64

// Resolve looks through anchors, aliases and tags to the node that holds
// the value; an alias to an unknown anchor, or aliases that refer to each
// other in a loop, are errors.
func (a Anchors) Resolve(n ast.Node) (ast.Node, error) {
	for range maxAliasChain {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		case *ast.AliasNode:
			name := t.Value.GetToken().Value
			target, ok := a[name]
			if !ok {
				return nil, fmt.Errorf("alias *%s refers to no anchor", name)
			}
			n = target
		default:
			return n, nil
		}
	}
	return nil, errors.New("aliases refer to each other in a loop")
}

// Merge returns a mapping's pairs with merge keys (<<: *x) expanded;
// merged pairs come first so that the mapping's own keys override them,
// as YAML specifies. resolve unwraps a node (nil when it cannot), bad
// hears of a merge source that is not a mapping, and expand gives the
// pairs of a merged mapping: the caller recurses through it, guarding
// against a mapping that merges itself if it needs to.
func Merge(m *ast.MappingNode, resolve func(ast.Node) ast.Node, bad func(src ast.Node),
	expand func(src ast.Node, target *ast.MappingNode) []*ast.MappingValueNode) []*ast.MappingValueNode {
	var merged, own []*ast.MappingValueNode
	for _, kv := range m.Values {
		if !kv.Key.IsMergeKey() {
			own = append(own, kv)
			continue
		}
		sources := []ast.Node{kv.Value}
		if seq, ok := resolve(kv.Value).(*ast.SequenceNode); ok {
			sources = seq.Values
		}
		for _, src := range sources {
			target, ok := resolve(src).(*ast.MappingNode)
			if !ok {
				bad(src)
				continue
			}
			merged = append(merged, expand(src, target)...)
		}
	}
	return append(merged, own...)
}
