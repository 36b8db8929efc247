package runbooks

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
)

// checked is an expression that passed lint.
type checked struct {
	node     ast.Node
	typ      reflect.Type // nil when only a run can tell
	constant bool         // it names nothing, so it always gives value
	value    any
}

// Types expressions are checked against.
var (
	boolType   = reflect.TypeFor[bool]()
	stringType = reflect.TypeFor[string]()
)

// expression checks the expression src at path against sc: syntax,
// references, functions and, when want is not nil, its type. It returns
// nil when there is a problem, which it has reported.
func (l *linter) expression(path, src string, sc *scope, want reflect.Type) *checked {
	tree, err := parser.Parse(src)
	if err != nil {
		l.exprError(path, err)
		return nil
	}
	v := &refVisitor{}
	ast.Walk(&tree.Node, v)
	if !l.exprNames(path, src, sc, v) {
		return nil
	}
	program, err := expr.Compile(src, append(functionOptions(), expr.Env(sc.env()))...)
	if err != nil {
		l.exprError(path, err)
		return nil
	}
	c := &checked{node: tree.Node, typ: program.Node().Type()}
	if c.typ != nil && c.typ.Kind() == reflect.Interface {
		c.typ = nil
	}
	if want != nil && !assignable(c.typ, want) {
		l.r.add(path, "want %s, got %s", typeName(want), typeName(c.typ))
		return nil
	}
	if !v.names {
		c.value, err = expr.Run(program, map[string]any{})
		c.constant = err == nil
	}
	return c
}

// exprNames reports the functions that are not allowed and the
// references that do not resolve, once each, and whether there were none.
func (l *linter) exprNames(path, src string, sc *scope, v *refVisitor) bool {
	ok := true
	for _, call := range v.calls {
		if name := call.names[0]; !slices.Contains(functions, name) && !slices.Contains(predicates, name) {
			line, col := lineCol(src, call.from)
			l.r.addIn(path, line, col, fmt.Sprintf("%s() is not allowed: expressions must give the same result on every run (see runbooks/README.md)", name))
			ok = false
		}
	}
	seen := map[string]bool{}
	for _, ref := range v.refs {
		if msg := sc.resolve(ref.names); msg != "" && !seen[msg] {
			seen[msg] = true
			line, col := lineCol(src, ref.from)
			l.r.addIn(path, line, col, msg)
			ok = false
		}
	}
	return ok
}

// exprError reports an error of the expr parser or checker where it is.
func (l *linter) exprError(path string, err error) {
	var ferr *file.Error
	if errors.As(err, &ferr) {
		l.r.addIn(path, ferr.Line, ferr.Column, ferr.Message)
		return
	}
	l.r.add(path, "%v", err)
}

// assignable reports whether a value of type got can be used where want
// is expected; an unknown type is checked at run time instead.
func assignable(got, want reflect.Type) bool {
	switch {
	case got == nil || got == want:
		return true
	case want.Kind() == reflect.Float64:
		return got.Kind() == reflect.Int || got.Kind() == reflect.Int64 && got.PkgPath() == ""
	}
	return false
}

// typeName names a type the way the runbook language does.
func typeName(t reflect.Type) string {
	switch {
	case t == nil:
		return "any value"
	case t.String() == "time.Duration":
		return "a duration"
	case t.Kind() == reflect.Map:
		return "a map"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "a list"
	case t.Kind() == reflect.Float64:
		return "a float"
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		return "an int"
	}
	return "a " + t.String()
}
