package runbooks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// Resolver implements the template functions that depend on where a step
// runs; the interpreter resolves them from the catalog and the warehouse.
type Resolver interface {
	// Table returns the table of a catalog dataset, quoted for its warehouse.
	Table(dataset string) (string, error)
	// Source returns where a dataset is loaded from, as a relation to
	// select from: its source table, or its source SELECT in parentheses
	// with {{ .From }} and {{ .To }} bound to the step's $1 and $2.
	Source(dataset string) (string, error)
	// Ident quotes a name, such as a column or a role, as an identifier
	// of the step's warehouse, so that an input can never inject SQL.
	Ident(name string) (string, error)
}

// TemplateFuncs returns the functions templates may call besides the
// text/template builtins: table, source and ident, resolved through r.
func TemplateFuncs(r Resolver) template.FuncMap {
	return template.FuncMap{"table": r.Table, "source": r.Source, "ident": r.Ident}
}

// catalogFuncs are the template functions that take a dataset name.
var catalogFuncs = []string{"table", "source"}

// lintResolver resolves everything to a placeholder: lint only needs the
// functions to exist.
type lintResolver struct{}

// Table returns a placeholder table.
func (lintResolver) Table(string) (string, error) { return "t", nil }

// Source returns a placeholder relation.
func (lintResolver) Source(string) (string, error) { return "t", nil }

// Ident returns a placeholder name.
func (lintResolver) Ident(string) (string, error) { return "t", nil }

// templateError matches text/template's "template: NAME:LINE: message".
var templateError = regexp.MustCompile(`^template: [^:]*:(\d+):(?:\d+:)? ?(.*)$`)

// template checks text at path, which may hold {{ }} actions: its syntax,
// its references to .inputs and .steps, and literal dataset names given
// to table and source.
func (l *linter) template(path, text string, sc *scope) {
	if !strings.Contains(text, "{{") {
		return
	}
	t, err := template.New("t").Funcs(TemplateFuncs(lintResolver{})).Parse(text)
	if err != nil {
		msg := err.Error()
		if m := templateError.FindStringSubmatch(msg); m != nil {
			msg = m[2]
		}
		l.r.add(path, "invalid template: %s", msg)
		return
	}
	w := &templateWalker{l: l, path: path, text: text, sc: sc}
	w.node(t.Root, true)
}

// templateWalker checks the nodes of one template.
type templateWalker struct {
	l    *linter
	path string
	text string
	sc   *scope
}

// node checks n; dotIsRoot is false inside range and with, where the dot
// is something else than the data with .inputs and .steps.
func (w *templateWalker) node(n parse.Node, dotIsRoot bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, child := range n.Nodes {
			w.node(child, dotIsRoot)
		}
	case *parse.ActionNode:
		w.pipe(n.Pipe, dotIsRoot)
	case *parse.TemplateNode:
		w.pipe(n.Pipe, dotIsRoot)
	case *parse.IfNode:
		w.branch(&n.BranchNode, dotIsRoot, dotIsRoot)
	case *parse.RangeNode:
		w.branch(&n.BranchNode, dotIsRoot, false)
	case *parse.WithNode:
		w.branch(&n.BranchNode, dotIsRoot, false)
	}
}

// branch checks an if, range or with.
func (w *templateWalker) branch(b *parse.BranchNode, dotIsRoot, insideIsRoot bool) {
	w.pipe(b.Pipe, dotIsRoot)
	w.node(b.List, insideIsRoot)
	w.node(b.ElseList, dotIsRoot)
}

// pipe checks the arguments of each command of a pipeline.
func (w *templateWalker) pipe(p *parse.PipeNode, dotIsRoot bool) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		for i, arg := range cmd.Args {
			switch a := arg.(type) {
			case *parse.FieldNode:
				if dotIsRoot {
					w.ref(a.Ident, a.Position())
				}
			case *parse.VariableNode:
				if len(a.Ident) > 1 && a.Ident[0] == "$" {
					w.ref(a.Ident[1:], a.Position())
				}
			case *parse.PipeNode:
				w.pipe(a, dotIsRoot)
			case *parse.IdentifierNode:
				w.datasetArg(a, cmd.Args[i+1:])
			}
		}
	}
}

// ref checks a reference such as .steps.check.lag.
func (w *templateWalker) ref(names []string, pos parse.Pos) {
	msg := ""
	if names[0] != "inputs" && names[0] != "steps" {
		msg = fmt.Sprintf("templates see .inputs and .steps, not .%s", names[0])
	} else {
		msg = w.sc.resolve(names)
	}
	if msg == "" {
		return
	}
	// text/template places a chain of fields at its last link; the
	// problem reads better at the first.
	start := int(pos)
	if i := strings.LastIndex(w.text[:min(start+len(names[0])+1, len(w.text))], "."+names[0]); i >= 0 {
		start = i
	}
	line, col := lineCol(w.text, len([]rune(w.text[:start])))
	w.l.r.addIn(w.path, line, col, msg)
}

// datasetArg checks a literal dataset name given to table or source.
func (w *templateWalker) datasetArg(fn *parse.IdentifierNode, args []parse.Node) {
	if !slices.Contains(catalogFuncs, fn.Ident) || len(args) == 0 {
		return
	}
	if s, ok := args[0].(*parse.StringNode); ok {
		if msg := w.l.unknownDataset(s.Text); msg != "" {
			line, col := lineCol(w.text, len([]rune(w.text[:s.Position()])))
			w.l.r.addIn(w.path, line, col, msg)
		}
	}
}
