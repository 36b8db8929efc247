package runbooks

import (
	"fmt"
	"maps"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/types"
)

// kindOutcome is what a step's kind tells about how the step ends.
type kindOutcome struct {
	fails    bool // it always fails
	approved bool // a parallel: one of its branches ends approved
}

// kind checks the fields of a step's kind; path is the kind's key path.
func (l *linter) kind(path string, s *Step, sc *scope, approved bool) kindOutcome {
	switch {
	case s.Check != nil:
		return kindOutcome{fails: l.check(path, s.Check, sc)}
	case s.SQL != nil:
		l.sql(path, s, sc, approved)
	case s.Notify != nil:
		l.recipient(path+".channel", s.Notify.Channel, sc)
		l.template(path+".text", s.Notify.Text, sc)
	case s.Page != nil:
		l.recipient(path+".service", s.Page.Service, sc)
		l.template(path+".summary", s.Page.Summary, sc)
	case s.Approve != nil:
		l.template(path+".timeout", s.Approve.Timeout, sc)
		l.template(path+".prompt", s.Approve.Prompt, sc)
	case s.Wait != nil:
		l.template(path+".duration", s.Wait.Duration, sc)
		l.template(path+".every", s.Wait.Every, sc)
		if s.Wait.Until != nil {
			l.check(path+".until", s.Wait.Until, sc)
		}
	case s.Backfill != nil:
		l.dataset(path+".dataset", s.Backfill.Dataset, sc)
		l.expression(path+".from", s.Backfill.From, sc, stringType)
		l.expression(path+".to", s.Backfill.To, sc, stringType)
	case s.Call != nil:
		l.call(path, s.Call, sc)
	case s.Parallel != nil:
		return l.parallel(path, s.Parallel, sc, approved)
	}
	return kindOutcome{}
}

// check checks a check (or a wait's until) and reports whether it always
// fails, which only an expect that is always false can tell.
func (l *linter) check(path string, c *CheckStep, sc *scope) bool {
	l.dataset(path+".dataset", c.Dataset, sc)
	if c.SQL != "" {
		l.sqlText(path+".sql", c.SQL, sc, checkHint)
		if d := Destructive(c.SQL); len(d) > 0 {
			l.r.add(path+".sql", "a check only reads; %s belongs in a sql step after an approve step", strings.Join(d, ", "))
		}
	}
	if c.Expect == "" {
		return false
	}
	own := sc.clone()
	own.result = types.Map{}
	maps.Copy(own.result, resultType(KindCheck, nil))
	delete(own.result, "status")
	delete(own.result, "error")
	delete(own.result, "passed")
	e := l.expression(path+".expect", c.Expect, own, boolType)
	return e != nil && e.constant && e.value == false
}

// sql checks a sql step; a destructive statement needs an approval on
// every path to it, or a when that requires one.
func (l *linter) sql(path string, s *Step, sc *scope, approved bool) {
	q := s.SQL
	if q.Dataset != "" {
		l.dataset(path+".dataset", q.Dataset, sc)
	}
	l.sqlText(path+".statement", q.Statement, sc, paramHint)
	for i, p := range q.Params {
		l.expression(fmt.Sprintf("%s.params[%d]", path, i), p, sc, nil)
	}
	if d := Destructive(q.Statement); len(d) > 0 && !approved && !whenApproved(s.When, sc) {
		l.r.add(path+".statement", "%s is destructive: put an approve step before it on every path "+
			"(one without when, defaulting to reject), or run it only when: steps.<approve id>.approved", strings.Join(d, ", "))
	}
}

// whenApproved reports whether when can only hold after an approve step
// in sc granted its approval: one of its && parts is steps.<id>.approved.
func whenApproved(when string, sc *scope) bool {
	tree, err := parser.Parse(when)
	if when == "" || err != nil {
		return false
	}
	for _, part := range conjuncts(tree.Node) {
		if b, ok := part.(*ast.BinaryNode); ok && b.Operator == "==" {
			if t, ok := b.Right.(*ast.BoolNode); ok && t.Value {
				part = b.Left
			}
		}
		m, ok := part.(*ast.MemberNode)
		if !ok {
			continue
		}
		if names, _ := memberChain(m); len(names) == 3 && names[0] == "steps" && names[2] == "approved" && sc.approvals[names[1]] {
			return true
		}
	}
	return false
}

// dataset checks a dataset field: a template, or a literal name that the
// catalog, when there is one, must have.
func (l *linter) dataset(path, text string, sc *scope) {
	if strings.Contains(text, "{{") {
		l.template(path, text, sc)
		return
	}
	if msg := l.unknownDataset(text); msg != "" {
		l.r.add(path, "%s", msg)
	}
}

// recipient checks a notify channel or page service: a template, or
// owner, the owner of the runbook's dataset input.
func (l *linter) recipient(path, text string, sc *scope) {
	if text == "owner" && sc.datasetInput() == "" {
		l.r.add(path, "owner means the owner of the runbook's dataset, but no input has type dataset")
	}
	l.template(path, text, sc)
}

// parallel checks each branch on its own: a branch sees the steps before
// the parallel step but not those of the other branches, which run at the
// same time. The steps after see them all.
func (l *linter) parallel(path string, p *ParallelStep, sc *scope, approved bool) kindOutcome {
	var out kindOutcome
	all := sc.clone()
	for i, branch := range p.Branches {
		own := sc.clone()
		ends, stops := l.sequence(fmt.Sprintf("%s.branches[%d]", path, i), branch, own, approved)
		out.approved = out.approved || ends
		out.fails = out.fails || stops
		all.absorb(own)
	}
	sc.absorb(all)
	return out
}
