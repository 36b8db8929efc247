package yamlnode

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/catalog"
)

// DecodeStruct decodes the mapping n into the fields of struct v, named
// by the Decoder's naming; the format's hooks hear of unknown keys.
func (d *Decoder) DecodeStruct(path string, n ast.Node, v reflect.Value) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		if keys := Keys(v.Type(), d.naming); d.KeysListed == 0 || len(keys) <= d.KeysListed {
			d.Fail(path, n, "want a mapping with keys %s, got %s", strings.Join(keys, ", "), Describe(n))
		} else {
			d.Fail(path, n, "want a mapping, got %s", Describe(n))
		}
		return
	}
	fields := Fields(v.Type(), d.naming)
	for _, kv := range d.entries(path, m) {
		key, kpath, ok := d.key(path, kv)
		if !ok {
			continue
		}
		if index, known := fields[key]; known {
			d.Decode(kpath, kv.Value, v.Field(index))
		} else {
			d.hooks.UnknownKey(path, kpath, key, kv.Key, v.Type())
		}
	}
}

// UnknownKeyMessage says that key is none of valid: which one it
// probably means when one is close (near is then true), else which
// keys there are.
func UnknownKeyMessage(key string, valid []string) (msg string, near bool) {
	if s := catalog.Suggest(key, valid); len(s) > 0 {
		return fmt.Sprintf("unknown key %q; did you mean %q?", key, s[0]), true
	}
	return fmt.Sprintf("unknown key %q; valid keys here: %s", key, strings.Join(valid, ", ")), false
}

// decodeMap decodes a mapping with free-form string keys.
func (d *Decoder) decodeMap(path string, n ast.Node, v reflect.Value) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.Fail(path, n, "want a mapping, got %s", Describe(n))
		return
	}
	out := reflect.MakeMap(v.Type())
	for _, kv := range d.entries(path, m) {
		key, kpath, ok := d.key(path, kv)
		if !ok {
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.Decode(kpath, kv.Value, elem)
		out.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
	}
	v.Set(out)
}

// decodeSlice decodes a sequence, element by element.
func (d *Decoder) decodeSlice(path string, n ast.Node, v reflect.Value) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.Fail(path, n, "want a list, got %s", Describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, elem := range seq.Values {
		d.Decode(fmt.Sprintf("%s[%d]", path, i), elem, out.Index(i))
	}
	v.Set(out)
}

// key returns the text and path of a mapping entry's key, recording
// where the key is; a key that is not a scalar is a problem.
func (d *Decoder) key(parent string, kv *ast.MappingValueNode) (string, string, bool) {
	key, ok := ScalarText(d.resolve(parent, kv.Key))
	if !ok {
		d.Fail(parent, kv.Key, "keys must be plain strings, got %s", Describe(kv.Key))
		return "", "", false
	}
	path := key
	if parent != "" {
		path = parent + "." + key
	}
	d.KeyNodes[path] = kv.Key
	return key, path, true
}

// entries returns a mapping's pairs with merge keys (<<: *x) expanded
// (see Merge). Each merge counts against the budget, and a mapping that
// merges itself, directly or not, is a problem rather than endless
// recursion.
func (d *Decoder) entries(path string, m *ast.MappingNode) []*ast.MappingValueNode {
	loop := d.SelfMerge
	if loop == "" {
		loop = "an alias here refers to a value that contains it"
	}
	resolve := func(n ast.Node) ast.Node { return d.resolve(path, n) }
	bad := func(src ast.Node) { d.Fail(path, src, "<< merges only mappings, got %s", Describe(src)) }
	return Merge(m, resolve, bad, func(src ast.Node, target *ast.MappingNode) []*ast.MappingValueNode {
		if !d.enter(path, src, target, loop) {
			return nil
		}
		defer delete(d.open, target)
		return d.entries(path, target)
	})
}

// decodeScalar decodes strings, booleans and numbers. Any scalar reads
// as a string, as written, so that default: 2 and default: "2" agree.
func (d *Decoder) decodeScalar(path string, n ast.Node, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		text, ok := ScalarText(n)
		if !ok {
			d.Fail(path, n, "want a string, got %s", Describe(n))
			return
		}
		v.SetString(text)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.Fail(path, n, "want true or false, got %s", Describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int64, reflect.Float64:
		d.decodeNumber(path, n, v)
	default:
		panic(fmt.Sprintf("yamlnode: no YAML decoding for %s at %s", v.Type(), path))
	}
}

// decodeNumber decodes an integer or a float; an integer is as good a
// float as any (objective: 1 is 1.0), but not the other way round.
func (d *Decoder) decodeNumber(path string, n ast.Node, v reflect.Value) {
	if x, ok := integer(n); ok {
		if v.CanInt() {
			v.SetInt(x)
		} else {
			v.SetFloat(float64(x))
		}
		return
	}
	if f, ok := n.(*ast.FloatNode); ok && v.CanFloat() {
		v.SetFloat(f.Value)
		return
	}
	if v.CanInt() {
		d.Fail(path, n, "want a whole number, got %s", Describe(n))
	} else {
		d.Fail(path, n, "want a number, got %s", Describe(n))
	}
}

// integer returns the value of an integer node that fits in an int64.
// The parser stores integers as int64 or uint64 depending on their size.
func integer(n ast.Node) (int64, bool) {
	i, ok := n.(*ast.IntegerNode)
	if !ok {
		return 0, false
	}
	switch x := i.Value.(type) {
	case int64:
		return x, true
	case uint64:
		return int64(x), x <= math.MaxInt64
	}
	return 0, false
}
