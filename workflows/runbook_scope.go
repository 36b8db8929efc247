package workflows

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/expr-lang/expr"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
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
// source and ident functions; ident quotes as PostgreSQL does.
func (r *runbookRun) render(text string) (string, error) {
	return r.renderOn(text, "")
}

// renderOn renders text that runs on the warehouse named wh ("" when it
// runs on none), whose kind decides how ident quotes names.
func (r *runbookRun) renderOn(text, wh string) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	// text/template is deterministic for the same text and data; the
	// functions it is given only read the run's input. workflowcheck
	// flags it for reflection and map walks that do not change output.
	//workflowcheck:ignore
	t, err := template.New("step").Funcs(runbooks.TemplateFuncs(r.resolverOn(wh))).Parse(text)
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

// lookupDataset finds a dataset the run was given.
func lookupDataset(datasets map[string]catalog.Dataset, name string) (catalog.Dataset, error) {
	if ds, ok := datasets[name]; ok {
		return ds, nil
	}
	msg := fmt.Sprintf("dataset %q was not passed to the run (have: %s); start runbooks with dre runbook run, which resolves the datasets they name from the catalog",
		name, strings.Join(sortedKeys(datasets), ", "))
	return catalog.Dataset{}, temporal.NewNonRetryableApplicationError(msg, ErrInvalidInput, nil)
}

// dataset renders a dataset field and finds the dataset.
func (r *runbookRun) dataset(field string) (catalog.Dataset, error) {
	name, err := r.render(field)
	if err != nil {
		return catalog.Dataset{}, err
	}
	return lookupDataset(r.in.Datasets, name)
}

// owner is the dataset whose owner "owner" means: the run's target.
func (r *runbookRun) owner() (catalog.Dataset, error) {
	if r.in.Dataset == "" {
		return catalog.Dataset{}, fmt.Errorf("runbook %s has no dataset input, so it has no owner to reach", r.in.Runbook.Name)
	}
	return lookupDataset(r.in.Datasets, r.in.Dataset)
}

// approvers expands "owner" into the owner's team, channel and the
// dataset's PII and lifecycle approvers (as the worker's catalog has them,
// see approverDataset); other entries are people, groups or Slack IDs.
func (r *runbookRun) approvers(listed []string) []string {
	var out []string
	for _, a := range listed {
		if a != "owner" {
			out = append(out, a)
			continue
		}
		if ds, err := r.approverDataset(); err == nil {
			out = append(out, ds.Owner.Team, ds.Owner.SlackChannel)
			out = append(out, ds.PII.Approvers...)
			if ds.Lifecycle != nil {
				out = append(out, ds.Lifecycle.Approvers...)
			}
		}
	}
	return out
}

// ownerInfo is how a dataset's owner can be reached.
type ownerInfo = catalog.Owner

// ownerField is one way to reach the target dataset's owner; a missing
// one is a catalog problem that no retry fixes.
func (r *runbookRun) ownerField(key string, get func(ownerInfo) string) (string, error) {
	ds, err := r.owner()
	if err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if v := get(ds.Owner); v != "" {
		return v, nil
	}
	msg := fmt.Sprintf("dataset %s has no owner.%s; set it in dre.yaml", ds.Name, key)
	return "", temporal.NewNonRetryableApplicationError(msg, ErrInvalidInput, nil)
}

// ResolveRunbookInputs checks given (input name → text) against rb's
// inputs and fills in the defaults: every declared input then has a
// value, except optional ones without a default.
func ResolveRunbookInputs(rb *runbooks.Runbook, given map[string]string) (map[string]string, error) {
	declared := map[string]runbooks.Input{}
	names := make([]string, len(rb.Inputs))
	for i, in := range rb.Inputs {
		declared[in.Name], names[i] = in, in.Name
	}
	for _, name := range sortedKeys(given) {
		if _, ok := declared[name]; !ok {
			return nil, fmt.Errorf("runbook %s has no input %q; its inputs: %s", rb.Name, name, strings.Join(names, ", "))
		}
	}
	out := map[string]string{}
	for _, in := range rb.Inputs {
		text, ok := given[in.Name]
		switch {
		case !ok && in.Required:
			return nil, fmt.Errorf("runbook %s needs input %s (%s): pass --input %s=<value>", rb.Name, in.Name, in.Type, in.Name)
		case !ok && in.Default == "":
			continue
		case !ok:
			text = in.Default
		}
		if _, err := inputValue(in.Type, text); err != nil {
			return nil, fmt.Errorf("input %s of runbook %s: %w", in.Name, rb.Name, err)
		}
		out[in.Name] = text
	}
	return out, nil
}

// TargetDataset is the value of rb's first input of type dataset: the
// dataset the run is about, whose owner "owner" means.
func TargetDataset(rb *runbooks.Runbook, inputs map[string]string) string {
	for _, in := range rb.Inputs {
		if in.Type == runbooks.TypeDataset {
			return inputs[in.Name]
		}
	}
	return ""
}

// typedInputs turns input texts into the values expressions see.
func typedInputs(rb *runbooks.Runbook, texts map[string]string) (map[string]any, error) {
	out := map[string]any{}
	for _, in := range rb.Inputs {
		text, ok := texts[in.Name]
		if !ok {
			text = in.Default
		}
		v, err := inputValue(in.Type, text)
		if err != nil && (ok || text != "") {
			return nil, fmt.Errorf("input %s: %w", in.Name, err)
		}
		out[in.Name] = v
	}
	return out, nil
}

// inputValue reads text as a value of type t; "" gives the zero value.
func inputValue(t runbooks.InputType, text string) (any, error) {
	bad := func(want string) error { return fmt.Errorf("want %s, got %q", want, text) }
	switch t {
	case runbooks.TypeInt:
		n, err := strconv.Atoi(text)
		if err != nil {
			return 0, bad("a whole number")
		}
		return n, nil
	case runbooks.TypeFloat:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return 0.0, bad("a number")
		}
		return f, nil
	case runbooks.TypeBool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return false, bad("true or false")
		}
		return b, nil
	case runbooks.TypeDuration:
		return parseDuration(text)
	case runbooks.TypeDate:
		if _, err := catalog.ParseDate(text); err != nil {
			return "", err
		}
	}
	return text, nil
}

// inputText writes a value the way a runbook file would, for the inputs
// of a called runbook.
func inputText(v any) string {
	if d, ok := v.(time.Duration); ok {
		return catalog.Duration{Duration: d}.String()
	}
	return fmt.Sprint(v)
}

// parseDuration reads 90m, 2h, 3d or 1w.
func parseDuration(text string) (time.Duration, error) {
	d, err := catalog.ParseDuration(text)
	return d.Duration, err
}
