package runbooks

import (
	"fmt"
	"maps"
	"strings"

	"github.com/expr-lang/expr/types"

	"github.com/dre-dev/dre/internal/catalog"
)

// scope is what the expressions and templates of one step can see: the
// runbook's inputs and the results of the steps that run before it.
type scope struct {
	inputs    []Input
	steps     map[string]types.Map // results of earlier steps, by ID
	approvals map[string]bool      // earlier approve steps that default to reject
	all       map[string]bool      // every step ID of the runbook
	result    types.Map            // a check's own result, for its expect; nil elsewhere
}

// newScope returns the scope of a runbook's first step.
func newScope(rb *Runbook, all map[string]bool) *scope {
	return &scope{inputs: rb.Inputs, steps: map[string]types.Map{}, approvals: map[string]bool{}, all: all}
}

// clone returns a copy of sc that can grow on its own, for a parallel
// branch or an on_failure list.
func (sc *scope) clone() *scope {
	c := *sc
	c.steps = maps.Clone(sc.steps)
	c.approvals = maps.Clone(sc.approvals)
	return &c
}

// absorb adds what other learned, as after a branch that ran.
func (sc *scope) absorb(other *scope) {
	maps.Copy(sc.steps, other.steps)
	maps.Copy(sc.approvals, other.approvals)
}

// env is the type of the environment of an expression in sc.
func (sc *scope) env() types.Map {
	inputs := types.Map{}
	for _, in := range sc.inputs {
		inputs[in.Name] = in.Type.exprType()
	}
	steps := types.Map{}
	for id, t := range sc.steps {
		steps[id] = t
	}
	env := types.Map{"inputs": inputs, "steps": steps}
	if sc.result != nil {
		env["result"] = sc.result
	}
	return env
}

// input returns the declared input called name.
func (sc *scope) input(name string) (Input, bool) {
	for _, in := range sc.inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// datasetInput returns the name of the first input of type dataset, whose
// owner "owner" stands for in notify and page steps.
func (sc *scope) datasetInput() string {
	for _, in := range sc.inputs {
		if in.Type == TypeDataset {
			return in.Name
		}
	}
	return ""
}

// resolve checks a reference such as inputs.dataset or steps.check.lag,
// given as its names, and says what is wrong with it, or "".
func (sc *scope) resolve(ref []string) string {
	if len(ref) < 2 {
		return ""
	}
	switch ref[0] {
	case "inputs":
		if _, ok := sc.input(ref[1]); !ok {
			names := make([]string, len(sc.inputs))
			for i, in := range sc.inputs {
				names[i] = in.Name
			}
			return unknownName("input", ref[1], names)
		}
	case "steps":
		return sc.resolveStep(ref)
	case "result":
		if _, ok := sc.result[ref[1]]; sc.result != nil && !ok {
			return fmt.Sprintf("a check result has no %q; it has %s", ref[1], strings.Join(sortedKeys(sc.result), ", "))
		}
	}
	return ""
}

// resolveStep checks a reference to steps.<id>[.<field>].
func (sc *scope) resolveStep(ref []string) string {
	id := ref[1]
	fields, ok := sc.steps[id]
	switch {
	case !ok && sc.all[id]:
		return fmt.Sprintf("step %q does not run before this point; only earlier steps can be referred to", id)
	case !ok:
		for _, other := range sortedKeys(sc.all) {
			if strings.HasPrefix(other, id+"-") {
				return fmt.Sprintf("in expressions, a - is subtraction: write steps[%q]", other)
			}
		}
		return unknownName("step", id, sortedKeys(sc.steps))
	case len(ref) > 2 && fields[types.Extra] == nil:
		if _, ok := fields[ref[2]]; !ok {
			return fmt.Sprintf("step %q has no result %q; it has %s", id, ref[2], strings.Join(sortedKeys(fields), ", "))
		}
	}
	return ""
}

// unknownName says that name is not one of the known ones of what,
// suggesting the closest.
func unknownName(what, name string, known []string) string {
	if s := catalog.Suggest(name, known); len(s) > 0 {
		return fmt.Sprintf("unknown %s %q; did you mean %q?", what, name, s[0])
	}
	if len(known) == 0 {
		return fmt.Sprintf("unknown %s %q; there are none here", what, name)
	}
	return fmt.Sprintf("unknown %s %q; known: %s", what, name, strings.Join(known, ", "))
}
