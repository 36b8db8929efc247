package runbooks

import (
	"fmt"
	"slices"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
)

// functions lists the functions runbook expressions may call. Each gives
// the same result for the same arguments on every machine, which a
// workflow replaying its history needs: nothing reads the clock (now,
// date), the time zone database (timezone), or iterates a map in random
// order (keys, values, toPairs), and nothing builds unbounded strings
// (repeat). The predicates all, any, none, one, filter, map, find,
// findIndex, findLast, findLastIndex, count, sum, groupBy, sortBy and
// reduce are part of the syntax and always allowed.
var functions = []string{
	"len", "abs", "ceil", "floor", "round", "int", "float", "string",
	"trim", "trimPrefix", "trimSuffix", "upper", "lower", "split", "splitAfter",
	"replace", "join", "indexOf", "lastIndexOf", "hasPrefix", "hasSuffix",
	"max", "min", "mean", "median", "first", "last", "get",
	"reverse", "uniq", "concat", "flatten", "sort", "duration", "type",
}

// Functions returns the functions runbook expressions may call besides
// the predicates (all, any, filter, map, ...), which are always allowed.
func Functions() []string { return slices.Clone(functions) }

// predicates are builtins the expr parser always treats as syntax.
var predicates = []string{"all", "any", "none", "one", "filter", "map", "find", "findIndex",
	"findLast", "findLastIndex", "count", "sum", "groupBy", "sortBy", "reduce"}

// functionOptions restricts expr's builtins to Functions.
func functionOptions() []expr.Option {
	opts := []expr.Option{expr.DisableAllBuiltins()}
	for _, name := range append(Functions(), predicates...) {
		opts = append(opts, expr.EnableBuiltin(name))
	}
	return opts
}

// Scope is what a run's expressions see: the runbook's inputs and the
// results of the steps so far (see ResultFields), by step ID. Values have
// the types lint assumed: int, float64, bool, string, time.Duration for
// durations, and map[string]any for rows. Result is a check's own result,
// which its expect reads.
type Scope struct {
	Inputs map[string]any
	Steps  map[string]map[string]any
	Result map[string]any
}

// Eval evaluates a runbook expression in s with the functions lint
// allows, so that a run computes exactly what lint checked.
func Eval(expression string, s Scope) (any, error) {
	env := map[string]any{"inputs": s.Inputs, "steps": s.Steps, "result": s.Result}
	program, err := expr.Compile(expression, append(functionOptions(), expr.Env(env))...)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", expression, err)
	}
	out, err := expr.Run(program, env)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", expression, err)
	}
	return out, nil
}

// refVisitor collects what an expression refers to and calls.
type refVisitor struct {
	refs  []exprRef
	calls []exprRef // calls of builtins, with the function name as ref[0]
	names bool      // whether the expression names anything at all
}

// exprRef is a chain of names such as steps.check.lag and where it starts.
type exprRef struct {
	names []string
	from  int // rune offset in the expression
}

// Visit records member chains rooted at a name, and builtin calls.
func (v *refVisitor) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		v.names = true
	case *ast.MemberNode:
		if names, root := memberChain(n); root != nil {
			v.refs = append(v.refs, exprRef{names, root.Location().From})
		}
	case *ast.BuiltinNode:
		v.calls = append(v.calls, exprRef{[]string{n.Name}, n.Location().From})
	}
}

// memberChain returns the names of a.b.c or a["b"].c and the node of a,
// or a nil root when the chain does not start at a plain name.
func memberChain(n *ast.MemberNode) ([]string, ast.Node) {
	var rev []string
	var cur ast.Node = n
	for {
		switch m := cur.(type) {
		case *ast.MemberNode:
			prop, ok := m.Property.(*ast.StringNode)
			if !ok {
				return nil, nil
			}
			rev = append(rev, prop.Value)
			cur = m.Node
		case *ast.IdentifierNode:
			names := append(rev, m.Value)
			slices.Reverse(names)
			return names, m
		default:
			return nil, nil
		}
	}
}

// conjuncts splits a && b && c into its parts.
func conjuncts(n ast.Node) []ast.Node {
	if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "&&" || b.Operator == "and") {
		return append(conjuncts(b.Left), conjuncts(b.Right)...)
	}
	return []ast.Node{n}
}

// lineCol turns a rune offset in text into a 1-based line and a 0-based
// column, as reporter.addIn takes them.
func lineCol(text string, offset int) (line, col int) {
	line = 1
	for i, r := range []rune(text) {
		if i == offset {
			break
		}
		col++
		if r == '\n' {
			line, col = line+1, 0
		}
	}
	return line, col
}
