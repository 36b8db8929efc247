package runbooks

import (
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// decoder fills a Runbook with yamlnode's Decoder, adding what runbooks
// treat specially: steps, which learn their kind and position, and
// on_failure, written as a word or a block. The nodes it records are
// the runbook's positions, which place the problems Lint finds later.
type decoder struct {
	*yamlnode.Decoder
	r *reporter
}

// newDecoder returns a decoder for rb, which gets the decoder's record
// of where each key path is.
func newDecoder(rb *Runbook) *decoder {
	d := &decoder{}
	d.Decoder = yamlnode.NewDecoder(d, yamlnode.Tagged)
	rb.where = &positions{values: d.ValueNodes, keys: d.KeyNodes}
	d.r = newReporter(rb)
	return d
}

// Types the decoder treats specially.
var (
	stepType      = reflect.TypeFor[Step]()
	onFailureType = reflect.TypeFor[OnFailure]()
)

// Special decodes what runbooks treat specially (see yamlnode.Hooks).
func (d *decoder) Special(path string, n ast.Node, v reflect.Value) bool {
	switch {
	case yamlnode.IsNull(n) && v.Kind() == reflect.Pointer:
		// "check:" with nothing under it is still a check step, whose
		// missing fields validation then names.
		v.Set(reflect.New(v.Type().Elem()))
	case yamlnode.IsNull(n): // an empty value is an absent one
		return false
	case v.Type() == onFailureType:
		d.decodeOnFailure(path, n, v.Addr().Interface().(*OnFailure))
	case v.Type() == stepType:
		d.DecodeStruct(path, n, v)
		d.finishStep(path, v.Addr().Interface().(*Step))
	default:
		return false
	}
	return true
}

// Report places a decoding problem at the node it was found at, except
// that a whole section (a mapping or a list) reads best at its key.
func (d *decoder) Report(path string, at ast.Node, msg string) {
	p := position(at)
	if yamlnode.IsCollection(at) {
		p = d.r.pos(path)
	}
	d.r.addPos(p, path, msg)
}

// UnknownKey reports a key the type does not have, suggesting close ones.
// An unknown key on a step is most likely a kind that does not exist.
// Validation then says nothing more about the mapping that has the key.
func (d *decoder) UnknownKey(path, kpath, key string, at ast.Node, t reflect.Type) {
	msg, near := yamlnode.UnknownKeyMessage(key, yamlnode.Keys(t, yamlnode.Tagged))
	if !near && t == stepType {
		msg = fmt.Sprintf("unknown step kind %q; a step is one of %s", key, quoted(StepKinds()))
	}
	d.r.addPos(position(at), kpath, msg)
	d.Failed[path] = true
}

// finishStep records where a step is and which kind it is, when it has
// exactly one; validation reports the others.
func (d *decoder) finishStep(path string, s *Step) {
	s.Pos = d.r.pos(path)
	if kinds := s.kindsSet(); len(kinds) == 1 {
		s.Kind = kinds[0]
	}
}

// decodeOnFailure decodes stop, continue or {steps: [...], then: ...}.
func (d *decoder) decodeOnFailure(path string, n ast.Node, f *OnFailure) {
	if text, ok := yamlnode.ScalarText(n); ok {
		f.Action = FailureAction(text)
		if f.Action != FailureStop && f.Action != FailureContinue {
			d.Fail(path, n, "want stop, continue or {steps: [...]}, got %q", text)
		}
		return
	}
	var block failureBlock
	d.DecodeStruct(path, n, reflect.ValueOf(&block).Elem())
	*f = OnFailure{Action: FailureSteps, Steps: block.Steps, Then: block.Then}
}
