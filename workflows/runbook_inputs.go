package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

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
