package runbooks

import (
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// quotingFuncs are the template functions whose output may stand in SQL
// text: ident and table quote a name for the warehouse, and source gives
// the catalog's own relation. Anything else an action writes is a value.
var quotingFuncs = []string{"ident", "table", "source"}

// Hints on how to pass a value instead of writing it into the SQL text.
const (
	paramHint = "bind it as a parameter: write $1 in the statement and the expression in params (params: [inputs.x]); " +
		"names go through ident, tables through table"
	checkHint = "a check's SQL takes no parameters: run the query in a sql step with params, " +
		"then compare its steps.<id>.row in a when or a check's expect; names go through ident, tables through table"
)

// sqlText checks SQL text at path: its template, that no action writes
// an input or step value into the statement (where a quote in the value
// would end the string and inject SQL), and that it is one statement.
func (l *linter) sqlText(path, text string, sc *scope, hint string) {
	l.template(path, text, sc)
	if n := len(sqlStatements(text, false)); n > 1 {
		l.r.add(path, "%d statements separated by ';': a step runs exactly one statement; split it into steps", n)
	}
	if !strings.Contains(text, "{{") {
		return
	}
	t, err := template.New("t").Funcs(TemplateFuncs(lintResolver{})).Parse(text)
	if err != nil {
		return // l.template reported it
	}
	for _, pos := range splicedValues(t.Root) {
		start := max(strings.LastIndex(text[:pos], "{{"), 0)
		line, col := lineCol(text, len([]rune(text[:start])))
		l.r.addIn(path, line, col, "this {{ }} writes a value into the SQL text, where it could inject SQL; "+hint)
	}
}

// splicedValues returns the positions of the actions under n that print
// data (an input, a step result, a variable or the dot) other than
// through a quoting function.
func splicedValues(n parse.Node) []int {
	var out []int
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, child := range n.Nodes {
			out = append(out, splicedValues(child)...)
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) == 0 && !quotedOutput(n.Pipe) && readsData(n.Pipe) {
			out = append(out, int(n.Position()))
		}
	case *parse.IfNode:
		out = append(splicedValues(n.List), splicedValues(n.ElseList)...)
	case *parse.RangeNode:
		out = append(splicedValues(n.List), splicedValues(n.ElseList)...)
	case *parse.WithNode:
		out = append(splicedValues(n.List), splicedValues(n.ElseList)...)
	}
	return out
}

// quotedOutput reports whether the last command of p, whose result is
// what the action prints, is a call of a quoting function.
func quotedOutput(p *parse.PipeNode) bool {
	if len(p.Cmds) == 0 {
		return false
	}
	last := p.Cmds[len(p.Cmds)-1]
	fn, ok := last.Args[0].(*parse.IdentifierNode)
	return ok && slices.Contains(quotingFuncs, fn.Ident)
}

// readsData reports whether p refers to the template's data anywhere,
// as opposed to printing only constants.
func readsData(p *parse.PipeNode) bool {
	for _, cmd := range p.Cmds {
		for _, arg := range cmd.Args {
			switch a := arg.(type) {
			case *parse.FieldNode, *parse.VariableNode, *parse.DotNode, *parse.ChainNode:
				return true
			case *parse.PipeNode:
				if readsData(a) {
					return true
				}
			}
		}
	}
	return false
}
