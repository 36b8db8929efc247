package yamlnode

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

func TestResolveAndMerge(t *testing.T) {
	file, err := parser.ParseBytes([]byte("base: &b {a: 1, c: 1}\nuse:\n  <<: *b\n  c: 2\nlost: *nowhere\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	root := file.Docs[0].Body.(*ast.MappingNode)
	anchors := Anchors{}
	anchors.Collect(root)
	resolve := func(n ast.Node) ast.Node { v, _ := anchors.Resolve(n); return v }
	use := resolve(root.Values[1].Value).(*ast.MappingNode)
	var keys []string
	pairs := Merge(use, resolve, func(ast.Node) { t.Error("a mapping was called bad") },
		func(_ ast.Node, target *ast.MappingNode) []*ast.MappingValueNode { return target.Values })
	for _, kv := range pairs {
		text, _ := ScalarText(kv.Key)
		value, _ := ScalarText(kv.Value)
		keys = append(keys, text+"="+value)
	}
	if got := strings.Join(keys, " "); got != "a=1 c=1 c=2" {
		t.Errorf("merged pairs %q, want the merged ones first, then the mapping's own", got)
	}
	if _, err := anchors.Resolve(root.Values[2].Value); err == nil || !strings.Contains(err.Error(), "alias *nowhere refers to no anchor") {
		t.Errorf("unknown alias: %v", err)
	}
}
