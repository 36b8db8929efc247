package runbooks

import (
	"reflect"
	"strings"
)

// Words returns the words of every text written in rb's steps, nested
// steps included, and in its inputs' defaults: the runs of ASCII letters,
// digits and underscores. Catalog dataset names are such words, so the
// datasets a runbook names in its SQL, templates and expressions are
// among them. Words match what a regular expression's \b would delimit.
func Words(rb *Runbook) map[string]bool {
	words := map[string]bool{}
	add := func(text string) {
		for _, w := range strings.FieldsFunc(text, isNotWordChar) {
			words[w] = true
		}
	}
	for _, in := range rb.Inputs {
		add(in.Default)
	}
	eachStep("steps", rb.Steps, func(_ string, s *Step) { eachText(reflect.ValueOf(s).Elem(), add) })
	return words
}

// isNotWordChar reports whether r ends a word: anything but an ASCII
// letter, digit or underscore.
func isNotWordChar(r rune) bool {
	return !(r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
}

// The types of nested steps, which eachStep visits on their own.
var (
	stepsType    = reflect.TypeFor[[]Step]()
	branchesType = reflect.TypeFor[[][]Step]()
)

// eachText calls fn with every string in v, a step or a part of one, map
// keys included, but not with those of nested steps. It goes by
// reflection so that a field added to a step kind is searched without
// anyone remembering to list it here.
func eachText(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			eachText(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			eachText(v.Field(i), fn)
		}
	case reflect.Slice:
		if v.Type() == stepsType || v.Type() == branchesType {
			return
		}
		for i := range v.Len() {
			eachText(v.Index(i), fn)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			eachText(it.Key(), fn)
			eachText(it.Value(), fn)
		}
	}
}
