package runbooks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
)

var (
	// runbookName keeps names usable as CLI arguments and in workflow IDs.
	runbookName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	// identifier is what expressions and templates can name after a dot:
	// inputs.<name>, steps.<id>.<output>.
	identifier = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	// stepID also allows hyphens; such steps are referred to as steps["a-b"].
	stepID = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	// datasetName is the catalog's rule for dataset names.
	datasetName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// validator checks the structure of a runbook: what its JSON Schema says,
// plus what a schema cannot say, such as exactly one kind per step.
type validator struct {
	r      *reporter
	failed map[string]bool // paths that did not decode; nothing more is said about them
}

// validate reports the structural problems of rb through r.
func validate(rb *Runbook, r *reporter, failed map[string]bool) {
	v := &validator{r: r, failed: failed}
	v.required("name", rb.Name, "name is required")
	if rb.Name != "" && !runbookName.MatchString(rb.Name) {
		r.add("name", "runbook name %q must be lowercase letters, digits and -, starting with a letter", rb.Name)
	}
	seen := map[string]bool{}
	for i, in := range rb.Inputs {
		path := fmt.Sprintf("inputs[%d]", i)
		v.input(path, in)
		if seen[in.Name] {
			r.add(path+".name", "duplicate input %q", in.Name)
		}
		seen[in.Name] = true
	}
	if len(rb.Steps) == 0 && !v.skip("steps") {
		r.add("steps", "a runbook needs at least one step")
	}
	v.steps("steps", rb.Steps)
}

// skip reports whether path or an ancestor failed to decode.
func (v *validator) skip(path string) bool {
	for p := path; p != ""; p = parentPath(p) {
		if v.failed[p] {
			return true
		}
	}
	return false
}

// required reports an empty value that must be set.
func (v *validator) required(path, value, message string) {
	if value == "" && !v.skip(path) {
		v.r.add(path, "%s", message)
	}
}

// input checks one input declaration.
func (v *validator) input(path string, in Input) {
	v.required(path+".name", in.Name, "an input needs a name")
	if in.Name != "" && !identifier.MatchString(in.Name) {
		v.r.add(path+".name", "input name %q must be lowercase letters, digits and _, starting with a letter", in.Name)
	}
	switch {
	case in.Type == "":
		v.required(path+".type", "", "an input needs a type: one of "+quoted(InputTypes()))
	case !in.Type.Valid():
		v.r.add(path+".type", "unknown input type %q; want one of %s", in.Type, quoted(InputTypes()))
	case in.Default != "":
		if err := checkValue(in.Type, in.Default); err != nil {
			v.r.add(path+".default", "%v", err)
		}
	}
	if in.Required && in.Default != "" {
		v.r.add(path+".default", "a required input has no default; drop required or the default")
	}
}

// checkValue checks that text is a value of type t.
func checkValue(t InputType, text string) error {
	bad := func(want string) error { return fmt.Errorf("want %s, got %q", want, text) }
	var err error
	switch t {
	case TypeInt:
		if _, err = strconv.ParseInt(text, 10, 64); err != nil {
			return bad("a whole number")
		}
	case TypeFloat:
		if _, err = strconv.ParseFloat(text, 64); err != nil {
			return bad("a number")
		}
	case TypeBool:
		if text != "true" && text != "false" {
			return bad("true or false")
		}
	case TypeDuration:
		_, err = catalog.ParseDuration(text)
	case TypeDate:
		_, err = catalog.ParseDate(text)
	case TypeDataset:
		if !datasetName.MatchString(text) {
			return bad("a dataset name (lowercase letters, digits and _)")
		}
	}
	return err
}

// steps checks a list of steps.
func (v *validator) steps(path string, steps []Step) {
	for i := range steps {
		v.step(fmt.Sprintf("%s[%d]", path, i), &steps[i])
	}
}

// step checks what every step has, then its kind.
func (v *validator) step(path string, s *Step) {
	v.required(path+".id", s.ID, "a step needs an id")
	if s.ID != "" && !stepID.MatchString(s.ID) {
		v.r.add(path+".id", "step id %q must be lowercase letters, digits, _ and -, starting with a letter", s.ID)
	}
	if s.ID == FreezeStepID {
		v.r.add(path+".id", "step id %s is reserved for the approval a frozen dataset's run waits for; rename the step", s.ID)
	}
	if s.Retries < 0 {
		v.r.add(path+".retries", "retries must be 0 or more")
	}
	v.duration(path+".timeout", s.Timeout)
	for _, name := range sortedKeys(s.Outputs) {
		if !identifier.MatchString(name) {
			v.r.add(path+".outputs."+name, "output name %q must be lowercase letters, digits and _, starting with a letter", name)
		}
		v.required(path+".outputs."+name, s.Outputs[name], "an output needs an expression")
	}
	v.onFailure(path+".on_failure", s.OnFailure)
	kinds := s.kindsSet()
	switch {
	case len(kinds) == 0 && !v.skip(path):
		v.r.add(path, "a step needs a kind: one of %s", quoted(StepKinds()))
	case len(kinds) > 1:
		v.r.add(path, "a step has one kind; this one has %s", quoted(kinds))
	case len(kinds) == 1 && s.Kind != "" && s.Kind != kinds[0]:
		v.r.add(path, "the step says it is a %s step but has %s", s.Kind, kinds[0])
	case len(kinds) == 1:
		v.kind(path, s, kinds[0])
	}
}

// onFailure checks the failure policy and its steps.
func (v *validator) onFailure(path string, f OnFailure) {
	if f.Action != FailureSteps {
		return
	}
	if len(f.Steps) == 0 && !v.skip(path+".steps") {
		v.r.add(path, "on_failure needs steps to run (or write stop or continue)")
	}
	if f.Then != "" && f.Then != FailureStop && f.Then != FailureContinue {
		v.r.add(path+".then", "then must be stop or continue, got %q", f.Then)
	}
	v.steps(path+".steps", f.Steps)
}

// duration checks a duration that may also be a template giving one.
func (v *validator) duration(path, text string) {
	if text == "" || strings.Contains(text, "{{") {
		return
	}
	d, err := catalog.ParseDuration(text)
	switch {
	case err != nil:
		v.r.add(path, "%v", err)
	case d.Duration <= 0:
		v.r.add(path, "want a positive duration, got %s", text)
	}
}
