package runbooks

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/yamlnode"
)

// decoder fills a Runbook from a YAML AST. It walks the tree itself,
// rather than calling yaml.Unmarshal, so that it keeps going after a
// mistake, reports every one with its position, and records where each
// key path is for the problems Lint finds later.
type decoder struct {
	r       *reporter
	anchors yamlnode.Anchors
	failed  map[string]bool // paths whose value could not be decoded
	// open holds the nodes being decoded, so that an alias to a node that
	// contains it is a problem rather than an endless recursion.
	open map[ast.Node]bool
	// budget is how many more values the file may expand to: aliases can
	// make a small file expand exponentially (the "billion laughs").
	budget int
}

// maxValues bounds the values of one file, aliases expanded: hand-written
// runbooks have a few hundred.
const maxValues = 100_000

// newDecoder returns a decoder reporting through r.
func newDecoder(r *reporter) *decoder {
	return &decoder{r: r, anchors: yamlnode.Anchors{}, failed: map[string]bool{},
		open: map[ast.Node]bool{}, budget: maxValues}
}

// Types the decoder treats specially.
var (
	stepType      = reflect.TypeFor[Step]()
	onFailureType = reflect.TypeFor[OnFailure]()
)

// decode stores n into v, which must be settable, recording problems at
// path instead of stopping at the first one.
func (d *decoder) decode(path string, n ast.Node, v reflect.Value) {
	at := position(n) // an alias, rather than what it refers to
	if n = d.unwrap(path, n); n == nil || !d.enter(path, at, n) {
		return
	}
	defer delete(d.open, n)
	d.remember(path, n)
	d.decodeValue(path, n, v)
}

// decodeValue stores the unwrapped node n into v.
func (d *decoder) decodeValue(path string, n ast.Node, v reflect.Value) {
	switch {
	case isNull(n) && v.Kind() == reflect.Pointer:
		// "check:" with nothing under it is still a check step, whose
		// missing fields validation then names.
		v.Set(reflect.New(v.Type().Elem()))
	case isNull(n): // an empty value is an absent one
	case v.Type() == onFailureType:
		d.decodeOnFailure(path, n, v.Addr().Interface().(*OnFailure))
	case v.Kind() == reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.decodeValue(path, n, v.Elem())
	case v.Kind() == reflect.Struct:
		d.decodeStruct(path, n, v)
	case v.Kind() == reflect.Map:
		d.decodeMap(path, n, v)
	case v.Kind() == reflect.Slice:
		d.decodeSlice(path, n, v)
	default:
		d.decodeScalar(path, n, v)
	}
}

// enter marks n as being decoded, unless that would loop or go over
// budget, which it reports at at.
func (d *decoder) enter(path string, at Position, n ast.Node) bool {
	d.budget--
	switch {
	case d.budget < 0:
		if d.budget == -1 {
			d.failAt(path, at, fmt.Sprintf("the file expands to more than %d values; are aliases nested too deep?", maxValues))
		}
	case d.open[n]:
		d.failAt(path, at, "an alias here refers to a value that contains it")
	default:
		d.open[n] = true
		return true
	}
	return false
}

// failAt is fail for a problem placed explicitly.
func (d *decoder) failAt(path string, at Position, msg string) {
	d.failed[path] = true
	d.r.addPos(at, path, msg)
}

// fail records a problem with the value at path and marks it undecodable,
// so that validation does not pile a second complaint on it.
func (d *decoder) fail(path string, format string, args ...any) {
	d.failed[path] = true
	d.r.add(path, format, args...)
}

// decodeStruct decodes a mapping into the fields named by yaml tags.
func (d *decoder) decodeStruct(path string, n ast.Node, v reflect.Value) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.fail(path, "want a mapping with keys %s, got %s", strings.Join(yamlnode.Keys(v.Type(), yamlnode.Tagged), ", "), yamlnode.Describe(n))
		return
	}
	fields := yamlnode.Fields(v.Type(), yamlnode.Tagged)
	for _, kv := range d.entries(path, m) {
		key, kpath, ok := d.key(path, kv)
		if !ok {
			continue
		}
		index, known := fields[key]
		if !known {
			d.unknownKey(path, kpath, key, v.Type())
			continue
		}
		d.decode(kpath, kv.Value, v.Field(index))
	}
	if v.Type() == stepType {
		d.finishStep(path, v.Addr().Interface().(*Step))
	}
}

// finishStep records where a step is and which kind it is, when it has
// exactly one; validation reports the others.
func (d *decoder) finishStep(path string, s *Step) {
	s.Pos = d.r.where.at[path]
	if kinds := s.kindsSet(); len(kinds) == 1 {
		s.Kind = kinds[0]
	}
}

// unknownKey reports a key the type does not have, suggesting close ones.
// An unknown key on a step is most likely a kind that does not exist.
func (d *decoder) unknownKey(path, kpath, key string, t reflect.Type) {
	valid := yamlnode.Keys(t, yamlnode.Tagged)
	if s := catalog.Suggest(key, valid); len(s) > 0 {
		d.r.add(kpath, "unknown key %q; did you mean %q?", key, s[0])
	} else if t == stepType {
		d.r.add(kpath, "unknown step kind %q; a step is one of %s", key, quoted(StepKinds()))
	} else {
		d.r.add(kpath, "unknown key %q; valid keys here: %s", key, strings.Join(valid, ", "))
	}
	d.failed[path] = true
}

// decodeMap decodes a mapping with free-form string keys.
func (d *decoder) decodeMap(path string, n ast.Node, v reflect.Value) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.fail(path, "want a mapping, got %s", yamlnode.Describe(n))
		return
	}
	out := reflect.MakeMap(v.Type())
	for _, kv := range d.entries(path, m) {
		key, kpath, ok := d.key(path, kv)
		if !ok {
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(kpath, kv.Value, elem)
		out.SetMapIndex(reflect.ValueOf(key), elem)
	}
	v.Set(out)
}

// decodeSlice decodes a sequence, element by element.
func (d *decoder) decodeSlice(path string, n ast.Node, v reflect.Value) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.fail(path, "want a list, got %s", yamlnode.Describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, elem := range seq.Values {
		d.decode(fmt.Sprintf("%s[%d]", path, i), elem, out.Index(i))
	}
	v.Set(out)
}

// decodeScalar decodes strings, booleans and integers. Any scalar reads
// as a string, as written, so that default: 2 and default: "2" agree.
func (d *decoder) decodeScalar(path string, n ast.Node, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if text, ok := yamlnode.ScalarText(n); ok {
			v.SetString(text)
			return
		}
		d.fail(path, "want a string, got %s", yamlnode.Describe(n))
	case reflect.Bool:
		if b, ok := n.(*ast.BoolNode); ok {
			v.SetBool(b.Value)
			return
		}
		d.fail(path, "want true or false, got %s", yamlnode.Describe(n))
	case reflect.Int:
		if i, ok := n.(*ast.IntegerNode); ok {
			if x, ok := i.Value.(int64); ok {
				v.SetInt(x)
				return
			}
		}
		d.fail(path, "want a whole number, got %s", yamlnode.Describe(n))
	default:
		panic(fmt.Sprintf("runbooks: no YAML decoding for %s at %s", v.Type(), path))
	}
}

// decodeOnFailure decodes stop, continue or {steps: [...], then: ...}.
func (d *decoder) decodeOnFailure(path string, n ast.Node, f *OnFailure) {
	if text, ok := yamlnode.ScalarText(n); ok {
		f.Action = FailureAction(text)
		if f.Action != FailureStop && f.Action != FailureContinue {
			d.fail(path, "want stop, continue or {steps: [...]}, got %q", text)
		}
		return
	}
	var block failureBlock
	d.decodeStruct(path, n, reflect.ValueOf(&block).Elem())
	*f = OnFailure{Action: FailureSteps, Steps: block.Steps, Then: block.Then}
}
