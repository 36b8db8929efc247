package runbooks

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/expr-lang/expr/types"
)

// Lint checks runbooks together, as a CI job would, and returns every
// problem found, ordered by file and position: the structure Parse checks,
// duplicate step IDs and runbook names, references to inputs, steps,
// runbooks and (when catalogDatasets is not nil) datasets that do not
// exist, expressions that do not type-check or are not deterministic,
// templates that do not parse, steps that can never run, runbooks that
// call each other in a loop, and destructive SQL that no approval guards.
func Lint(set []*Runbook, catalogDatasets []string) Problems {
	byName := map[string]*Runbook{}
	var ps Problems
	for _, rb := range set {
		if first, dup := byName[rb.Name]; dup && rb.Name != "" {
			r := newReporter(rb)
			r.add("name", "duplicate runbook name %q; %s has it too", rb.Name, first.Source.File)
			ps = append(ps, r.problems...)
		} else if !dup {
			byName[rb.Name] = rb
		}
	}
	for _, rb := range set {
		ps = append(ps, lintOne(rb, byName, catalogDatasets)...)
	}
	ps = append(ps, callLoops(byName)...)
	sortProblems(ps)
	return ps
}

// linter checks one runbook.
type linter struct {
	rb       *Runbook
	r        *reporter
	runbooks map[string]*Runbook // the set being linted, by name
	datasets []string            // the catalog's; nil when there is none
}

// lintOne checks rb: its structure, then, when that holds, the rest. A
// draft's structure was checked when it was read: its problems come
// first, then what lint finds in the parts they leave alone.
func lintOne(rb *Runbook, runbooks map[string]*Runbook, datasets []string) Problems {
	l := &linter{rb: rb, r: newReporter(rb), runbooks: runbooks, datasets: datasets}
	if rb.draft != nil {
		l.r.problems = slices.Clone(rb.draft.problems)
	} else {
		validate(rb, l.r, nil)
		if len(l.r.problems) > 0 {
			return l.r.problems // the rest would trip over the same mistakes
		}
	}
	ids := l.stepIDs()
	for i, in := range rb.Inputs {
		if in.Type == TypeDataset && in.Default != "" {
			l.dataset(fmt.Sprintf("inputs[%d].default", i), in.Default, nil)
		}
	}
	l.sequence("steps", rb.Steps, newScope(rb, ids), false)
	return l.r.problems
}

// stepIDs returns every step ID, reporting those used twice: results are
// looked up by ID, so each names one step in the whole runbook.
func (l *linter) stepIDs() map[string]bool {
	first := map[string]string{}
	eachStep("steps", l.rb.Steps, func(path string, s *Step) {
		if where, dup := first[s.ID]; dup {
			l.r.add(path+".id", "duplicate step id %q; %s has it too", s.ID, where)
			return
		}
		first[s.ID] = path
	})
	ids := map[string]bool{}
	for id := range first {
		ids[id] = true
	}
	return ids
}

// sequence checks a list of steps that run one after the other. approved
// says whether an approval was granted on every path to the first. It
// returns whether that holds after the last, and whether a step always
// stops the run, which makes every step after it unreachable.
func (l *linter) sequence(path string, steps []Step, sc *scope, approved bool) (bool, bool) {
	stopper := -1 // the first step that always stops the run
	for i := range steps {
		spath := fmt.Sprintf("%s[%d]", path, i)
		if stopper >= 0 && stopper == i-1 {
			l.r.add(spath, "unreachable: step %q before it always fails and stops the run", steps[stopper].ID)
		}
		out := l.step(spath, &steps[i], sc, approved)
		approved = out.approved
		if out.stops && stopper < 0 {
			stopper = i
		}
	}
	return approved, stopper >= 0
}

// outcome is what lint knows after a step.
type outcome struct {
	approved bool // an approval was granted on every path past the step
	stops    bool // the step always runs, always fails, and stops the run
}

// step checks one step, then adds its results to sc. Of a draft's step
// without exactly one kind, lint checks what does not depend on the kind,
// and any result may be read of it; a kind whose value is broken (not a
// mapping, say) is not looked into.
func (l *linter) step(path string, s *Step, sc *scope, approved bool) outcome {
	var k StepKind // validate made sure there is exactly one, unless in a draft
	if kinds := s.kindsSet(); len(kinds) == 1 {
		k = kinds[0]
	}
	always := true
	if s.When != "" {
		c := l.expression(path+".when", s.When, sc, boolType)
		if c != nil && c.constant && c.value == false {
			l.r.add(path+".when", "this step never runs: when is always false")
		}
		always = c != nil && c.constant && c.value == true
	}
	l.template(path+".timeout", s.Timeout, sc)
	var k2 kindOutcome
	if k != "" && !l.rb.draft.isBroken(path+"."+string(k)) {
		k2 = l.kind(path+"."+string(k), s, sc, approved)
	}
	if len(s.OnFailure.Steps) > 0 {
		sc.absorb(l.onFailure(path, s, k, sc, approved))
	}
	sc.steps[s.ID] = resultType(k, l.outputs(path, s, k, sc))
	if k == KindApprove && s.Approve.Default != Approve {
		sc.approvals[s.ID] = true
	}
	// A step that always runs and whose failure stops the run lets only
	// its successes through: an approval granted, or a parallel step with
	// a branch that holds one (the branch failed otherwise, and so did
	// the parallel step).
	gate := always && s.OnFailure.stops()
	grants := k == KindApprove && sc.approvals[s.ID] || k2.approved
	return outcome{approved: approved || gate && grants, stops: gate && k2.fails}
}

// onFailure checks the steps run when s fails; they see s itself, and the
// steps after s see them. A failed approval is a rejection, so its
// on_failure steps run unapproved.
func (l *linter) onFailure(path string, s *Step, k StepKind, sc *scope, approved bool) *scope {
	inner := sc.clone()
	inner.steps[s.ID] = resultType(k, nil)
	l.sequence(path+".on_failure.steps", s.OnFailure.Steps, inner, approved && k != KindApprove)
	delete(inner.steps, s.ID)
	return inner
}

// outputs checks a step's outputs, which see the step's own results, and
// returns their types for the steps after it.
func (l *linter) outputs(path string, s *Step, k StepKind, sc *scope) map[string]types.Type {
	if len(s.Outputs) == 0 {
		return nil
	}
	own := sc.clone()
	own.steps[s.ID] = resultType(k, nil)
	out := map[string]types.Type{}
	for _, name := range sortedKeys(s.Outputs) {
		opath := path + ".outputs." + name
		if _, clash := ResultFields(k)[name]; clash {
			l.r.add(opath, "output %q hides the step's own result %q; rename it", name, name)
			continue
		}
		if c := l.expression(opath, s.Outputs[name], own, nil); c != nil {
			out[name] = typeOf(c)
		}
	}
	return out
}

// unknownDataset says what is wrong with a literal dataset name, or "".
func (l *linter) unknownDataset(name string) string {
	if l.datasets == nil || slices.Contains(l.datasets, name) {
		return ""
	}
	return unknownName("dataset", name, l.datasets)
}

// typeOf is the expression type of a checked expression's value.
func typeOf(c *checked) types.Type {
	if c.typ == nil {
		return types.Any
	}
	return types.TypeOf(reflect.Zero(c.typ).Interface())
}
