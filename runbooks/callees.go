package runbooks

import (
	"fmt"
	"slices"
	"strings"
)

// Callees returns the runbooks rb calls, directly or through the runbooks
// it calls, by name: the definitions a run of rb must carry, since its
// child runs replay what the parent started with. known is the loaded
// set by name. A call to a runbook missing from known, or runbooks calling
// each other in a loop (a run that would never end), is an error: lint
// says the same, but the gateway prepares runs without linting them.
func Callees(rb *Runbook, known map[string]*Runbook) (map[string]Runbook, error) {
	w := &calleeWalk{known: known, state: map[string]int{}, found: map[string]Runbook{}}
	if err := w.visit(rb, []string{rb.Name}); err != nil {
		return nil, err
	}
	return w.found, nil
}

// calleeWalk is a depth-first search of the calls from one runbook.
type calleeWalk struct {
	known map[string]*Runbook
	state map[string]int // unseen, onStack or done, as in loopFinder
	found map[string]Runbook
}

// visit walks rb's calls, nested steps included; chain names the runbooks
// on the way to rb, rb last.
func (w *calleeWalk) visit(rb *Runbook, chain []string) error {
	w.state[rb.Name] = onStack
	var err error
	eachStep("steps", rb.Steps, func(path string, s *Step) {
		if err == nil && s.Call != nil {
			err = w.call(rb, path, s, chain)
		}
	})
	w.state[rb.Name] = done
	return err
}

// call follows step s of caller, a runbook step, unless its callee was
// walked already (a runbook may be called many times).
func (w *calleeWalk) call(caller *Runbook, path string, s *Step, chain []string) error {
	name := s.Call.Runbook
	switch w.state[name] {
	case done:
		return nil
	case onStack:
		loop := append(slices.Clone(chain[slices.Index(chain, name):]), name)
		return fmt.Errorf("runbooks call each other in a loop: %s", strings.Join(loop, " → "))
	}
	callee, ok := w.known[name]
	if !ok {
		return fmt.Errorf("%s: runbook %s, step %s (%s.runbook.name): %s",
			stepPlace(caller, s), caller.Name, s.ID, path, unknownName("runbook", name, sortedKeys(w.known)))
	}
	w.found[name] = *callee
	return w.visit(callee, append(slices.Clone(chain), name))
}

// stepPlace is file:line:column of a step, or the file alone for a
// runbook built without positions.
func stepPlace(rb *Runbook, s *Step) string {
	if s.Pos.Line == 0 {
		return rb.Source.File
	}
	return fmt.Sprintf("%s:%d:%d", rb.Source.File, s.Pos.Line, s.Pos.Column)
}
