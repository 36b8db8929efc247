package yamlnode

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Parse parses data into a syntax tree, turning a panic of the YAML
// parser on some malformed input into an error: a bad file must never
// crash dre.
func Parse(data []byte) (file *ast.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			file, err = nil, fmt.Errorf("the YAML parser failed: %v", p)
		}
	}()
	return parser.ParseBytes(data, 0)
}

// SyntaxError returns where a parse error is (0, 0 when it does not say)
// and what it says.
func SyntaxError(err error) (line, col int, msg string) {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil {
		pos := yerr.GetToken().Position
		return pos.Line, pos.Column, yerr.GetMessage()
	}
	return 0, 0, err.Error()
}

// Body returns the body of the file's only document, or nil for an empty
// file. extra hears of the body of every further document, which the
// caller would otherwise ignore without a word.
func Body(file *ast.File, extra func(body ast.Node)) ast.Node {
	var body ast.Node
	for _, doc := range file.Docs {
		switch {
		case doc.Body == nil:
		case body != nil:
			extra(doc.Body)
		default:
			body = doc.Body
		}
	}
	return body
}

// IsNull reports whether n is an empty value.
func IsNull(n ast.Node) bool {
	_, ok := n.(*ast.NullNode)
	return ok
}

// IsCollection reports whether n is a mapping or a list.
func IsCollection(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.SequenceNode:
		return true
	}
	return false
}
