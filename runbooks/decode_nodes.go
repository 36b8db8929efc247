package runbooks

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// positions remembers where the key paths of a parsed file are, so that
// Lint can place its problems: the decoder's record of each path's key
// and value. Runbooks built in Go or read from JSON have none, and their
// problems carry only the file name.
type positions struct {
	values map[string]ast.Node // key path → its value, aliases resolved
	keys   map[string]ast.Node // key path → its key
}

// at returns where a problem about path is reported: a scalar at its
// value, a mapping or list at its key (problems with a whole section
// read best at its name), or at its value when it has no key.
func (p *positions) at(path string) (Position, bool) {
	value, hasValue := p.values[path]
	if key, keyed := p.keys[path]; keyed && (!hasValue || yamlnode.IsCollection(value)) {
		return position(key), true
	}
	return position(value), hasValue
}

// text returns where the text of the one-line scalar at path starts, so
// that problems inside an expression point at the right column.
func (p *positions) text(path string) (Position, bool) {
	value, ok := p.values[path]
	if !ok || yamlnode.IsCollection(value) {
		return Position{}, false
	}
	tk := value.GetToken()
	if tk == nil || strings.Contains(strings.TrimSpace(tk.Origin), "\n") {
		return Position{}, false
	}
	start := position(value)
	switch tk.Type {
	case token.DoubleQuoteType, token.SingleQuoteType:
		return Position{Line: start.Line, Column: start.Column + 1}, true
	case token.StringType:
		return start, true
	}
	return Position{}, false
}

// position is yamlnode.Position as a runbook Position.
func position(n ast.Node) Position {
	line, col := yamlnode.Position(n)
	return Position{Line: line, Column: col}
}
