package runbooks

import (
	"reflect"
	"slices"
	"strings"
)

// call checks a runbook step: the runbook must be in the set, and the
// inputs it gets must be its own, of its types, with the required ones
// given.
func (l *linter) call(path string, c *CallStep, sc *scope) {
	callee, known := l.runbooks[c.Runbook]
	if !known {
		l.r.add(path+".name", "%s", unknownName("runbook", c.Runbook, sortedKeys(l.runbooks)))
	}
	for _, name := range sortedKeys(c.Inputs) {
		ipath := path + ".inputs." + name
		var want reflect.Type
		if known {
			in, ok := (&scope{inputs: callee.Inputs}).input(name)
			if !ok {
				l.r.add(ipath, "runbook %q has no input %q", c.Runbook, name)
				continue
			}
			want = in.Type.goType()
		}
		l.expression(ipath, c.Inputs[name], sc, want)
	}
	if !known {
		return
	}
	for _, in := range callee.Inputs {
		if _, given := c.Inputs[in.Name]; in.Required && !given {
			l.r.add(path, "runbook %q needs its input %q", c.Runbook, in.Name)
		}
	}
}

// callEdge is a runbook step: who it calls and where.
type callEdge struct {
	callee string
	path   string
}

// callLoops reports runbooks that call each other in a loop, which would
// never end: at each call of the loop, so that every file involved says so.
func callLoops(byName map[string]*Runbook) Problems {
	calls := map[string][]callEdge{}
	for _, name := range sortedKeys(byName) {
		eachStep("steps", byName[name].Steps, func(path string, s *Step) {
			if s.Call != nil {
				calls[name] = append(calls[name], callEdge{s.Call.Runbook, path + ".runbook.name"})
			}
		})
	}
	f := &loopFinder{byName: byName, calls: calls, state: map[string]int{}}
	for _, name := range sortedKeys(byName) {
		if f.state[name] == unseen {
			f.visit(name)
		}
	}
	return f.problems
}

// loopCall is a call on the way to a loop: which runbook made it, where.
type loopCall struct {
	caller string
	path   string
}

// Depth-first search states of a runbook.
const (
	unseen = iota
	onStack
	done
)

// loopFinder is a depth-first search of the call graph; a call to a
// runbook still on the stack closes a loop.
type loopFinder struct {
	byName   map[string]*Runbook
	calls    map[string][]callEdge
	state    map[string]int
	stack    []loopCall // the calls that led to the runbook being visited
	problems Problems
}

// visit searches from the runbook called name.
func (f *loopFinder) visit(name string) {
	f.state[name] = onStack
	for _, c := range f.calls[name] {
		switch {
		case f.state[c.callee] == onStack:
			f.report(name, c)
		case f.state[c.callee] == unseen && f.byName[c.callee] != nil:
			f.stack = append(f.stack, loopCall{name, c.path})
			f.visit(c.callee)
			f.stack = f.stack[:len(f.stack)-1]
		}
	}
	f.state[name] = done
}

// report reports the loop closed by from's call c at each of its calls,
// naming the loop from the calling runbook's point of view.
func (f *loopFinder) report(from string, c callEdge) {
	loop := []loopCall{{from, c.path}} // a runbook calling itself
	if start := slices.IndexFunc(f.stack, func(e loopCall) bool { return e.caller == c.callee }); start >= 0 {
		loop = append(slices.Clone(f.stack[start:]), loop...)
	}
	names := make([]string, len(loop))
	for i, e := range loop {
		names[i] = e.caller
	}
	for i, e := range loop {
		cycle := append(slices.Clone(names[i:]), names[:i+1]...)
		r := newReporter(f.byName[e.caller])
		r.add(e.path, "runbooks call each other in a loop: %s", strings.Join(cycle, " → "))
		f.problems = append(f.problems, r.problems...)
	}
}
