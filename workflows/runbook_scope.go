package workflows

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"text/template"

	"github.com/expr-lang/expr"

	"github.com/dre-dev/dre/runbooks"
)

// scope is what expressions see now: the inputs and every step's results.
func (r *runbookRun) scope() runbooks.Scope {
	steps := make(map[string]map[string]any, len(r.states))
	for _, st := range r.states {
		steps[st.ID] = r.fields(st)
	}
	return runbooks.Scope{Inputs: r.inputs, Steps: steps}
}

// fields are a step's results by name. A step that did not run (or has
// not yet) is "skipped" with zero values, as the language defines.
func (r *runbookRun) fields(st *StepState) map[string]any {
	status, res := runbooks.StatusSkipped, StepResult{}
	switch st.State {
	case StepDone:
		status, res = runbooks.StatusOK, st.Result
	case StepFailed:
		status, res = runbooks.StatusFailed, st.Result
	}
	m := kindFields(st.Kind, res)
	m["status"], m["error"] = status, st.Error
	outputs := r.zeroOutputs[st.ID]
	if st.State == StepDone {
		outputs = res.Outputs
	}
	for _, name := range sortedKeys(outputs) {
		m[name] = outputs[name]
	}
	return m
}

// kindFields are the results of a step of kind k (runbooks.ResultFields).
func kindFields(k runbooks.StepKind, res StepResult) map[string]any {
	row := res.Row
	if row == nil {
		row = map[string]any{}
	}
	switch k {
	case runbooks.KindCheck:
		return map[string]any{"passed": res.Passed, "value": res.Value, "lag": res.Lag, "rows": int(res.Rows),
			"null_rate": res.NullRate, "latest": res.Latest, "as_of": res.AsOf, "row": row, "message": res.Message}
	case runbooks.KindSQL:
		return map[string]any{"rows": int(res.Rows), "row": row}
	case runbooks.KindNotify:
		return map[string]any{"channel": res.Channel}
	case runbooks.KindPage:
		return map[string]any{"incident": res.Incident}
	case runbooks.KindApprove:
		return map[string]any{"approved": res.Approved, "by": res.By, "timed_out": res.TimedOut}
	case runbooks.KindWait:
		return map[string]any{"timed_out": res.TimedOut, "polls": res.Polls}
	case runbooks.KindBackfill:
		return map[string]any{"run": res.Run, "partitions": res.Partitions}
	case runbooks.KindRunbook:
		return map[string]any{"run": res.Run}
	}
	return map[string]any{}
}

// eval evaluates an expression now; result is a check's own results.
func (r *runbookRun) eval(expression string, result map[string]any) (any, error) {
	sc := r.scope()
	sc.Result = result
	// Eval is deterministic by design (runbooks allows no clock, no
	// environment and no map-order functions); workflowcheck cannot see
	// that through expr's VM.
	//workflowcheck:ignore
	return runbooks.Eval(expression, sc)
}

// evalBool evaluates a condition.
func (r *runbookRun) evalBool(expression string, result map[string]any) (bool, error) {
	v, err := r.eval(expression, result)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("expression %q gave %v (%T), want true or false", expression, v, v)
	}
	return b, nil
}

// outputs evaluates a succeeded step's outputs, in name order.
func (r *runbookRun) outputs(s *runbooks.Step) (map[string]any, error) {
	if len(s.Outputs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(s.Outputs))
	for _, name := range sortedKeys(s.Outputs) {
		v, err := r.eval(s.Outputs[name], nil)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// computeZeroOutputs types every output expression against the results
// as they are before the run, so that a step that did not succeed gives
// false, 0 or "" rather than nil, which a later !x or x > 0 could not use.
func (r *runbookRun) computeZeroOutputs() {
	for _, s := range allSteps(r.in.Runbook.Steps) {
		zeros := map[string]any{}
		for _, name := range sortedKeys(s.Outputs) {
			sc := r.scope()
			env := map[string]any{"inputs": sc.Inputs, "steps": sc.Steps, "result": map[string]any{}}
			var zero any
			// Compiling only type-checks; it runs nothing.
			//workflowcheck:ignore
			if program, err := expr.Compile(s.Outputs[name], expr.Env(env)); err == nil {
				if t := program.Node().Type(); t != nil && t.Kind() != reflect.Interface {
					zero = reflect.Zero(t).Interface()
				}
			}
			zeros[name] = zero
		}
		r.zeroOutputs[s.ID] = zeros
	}
}

// render executes a text template with .inputs and .steps, and the table,
// source and ident functions.
func (r *runbookRun) render(text string) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	// text/template is deterministic for the same text and data; the
	// functions it is given only read the run's input. workflowcheck
	// flags it for reflection and map walks that do not change output.
	//workflowcheck:ignore
	t, err := template.New("step").Funcs(runbooks.TemplateFuncs(resolver{r.in.Datasets})).Parse(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	data := map[string]any{"inputs": r.inputs, "steps": r.scope().Steps}
	//workflowcheck:ignore
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	return b.String(), nil
}

// allSteps lists steps and the steps nested in them, depth first.
func allSteps(steps []runbooks.Step) []*runbooks.Step {
	var out []*runbooks.Step
	for i := range steps {
		s := &steps[i]
		out = append(out, s)
		if s.Parallel != nil {
			for _, b := range s.Parallel.Branches {
				out = append(out, allSteps(b)...)
			}
		}
		out = append(out, allSteps(s.OnFailure.Steps)...)
	}
	return out
}

// sortedKeys returns m's keys in order, so that work over a map happens
// in the same order on every replay.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	// The keys are sorted before anyone uses them.
	//workflowcheck:ignore
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
