package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/yamlnode"
)

// decoder fills Go values from a YAML AST. It walks the tree itself,
// rather than calling yaml.Unmarshal, so that it can keep going after a
// mistake, report every one with its position, and remember where each
// key path lives for the problems found later by validation.
type decoder struct {
	file     string
	problems Problems
	values   map[string]ast.Node // path -> value node
	keys     map[string]ast.Node // path -> key node
	failed   map[string]bool     // paths whose value could not be decoded
	anchors  yamlnode.Anchors
	merging  map[*ast.MappingNode]bool // mappings whose merge keys are being expanded
}

// newDecoder returns a decoder whose problems name file.
func newDecoder(file string) *decoder {
	return &decoder{
		file:    file,
		values:  map[string]ast.Node{},
		keys:    map[string]ast.Node{},
		failed:  map[string]bool{},
		anchors: yamlnode.Anchors{},
		merging: map[*ast.MappingNode]bool{},
	}
}

// Types the decoder handles before looking at their kind.
var (
	secretType          = reflect.TypeFor[Secret]()
	timeType            = reflect.TypeFor[time.Time]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decode stores n into v, which must be addressable, recording problems
// at path instead of stopping at the first one.
func (d *decoder) decode(path string, n ast.Node, v reflect.Value) {
	n = d.unwrap(path, n)
	if n == nil {
		return
	}
	d.values[path] = n
	if _, null := n.(*ast.NullNode); null {
		return // an empty value leaves the default, like an absent key
	}
	switch {
	case v.Type() == secretType:
		d.decodeSecret(path, n, v.Addr().Interface().(*Secret))
	case v.Type() == timeType:
		d.decodeTime(path, n, v)
	case reflect.PointerTo(v.Type()).Implements(textUnmarshalerType):
		d.decodeText(path, n, v.Addr().Interface().(encoding.TextUnmarshaler))
	case v.Kind() == reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.decode(path, n, v.Elem())
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

// fail records a problem at n for path and marks path as undecodable, so
// that validation does not pile a second complaint on the same value.
func (d *decoder) fail(path string, n ast.Node, format string, args ...any) {
	d.failed[path] = true
	d.addAt(n, path, fmt.Sprintf(format, args...))
}

// addAt records a problem positioned at n.
func (d *decoder) addAt(n ast.Node, path, message string) {
	line, col := yamlnode.Position(n)
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Column: col, Path: path, Message: message})
}

// decodeStruct decodes a mapping into the fields named by yaml tags.
func (d *decoder) decodeStruct(path string, n ast.Node, v reflect.Value) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		if keys := yamlnode.Keys(v.Type(), yamlnode.TaggedOrLower); len(keys) <= 6 { // longer lists hide the point
			d.fail(path, n, "want a mapping with keys %s, got %s", strings.Join(keys, ", "), yamlnode.Describe(n))
		} else {
			d.fail(path, n, "want a mapping, got %s", yamlnode.Describe(n))
		}
		return
	}
	fields := yamlnode.Fields(v.Type(), yamlnode.TaggedOrLower)
	for _, kv := range d.entries(path, m) {
		key, kpath, ok := d.key(path, kv)
		if !ok {
			continue
		}
		index, known := fields[key]
		if !known {
			d.unknownKey(kpath, kv.Key, key, yamlnode.Keys(v.Type(), yamlnode.TaggedOrLower))
			continue
		}
		d.decode(kpath, kv.Value, v.Field(index))
	}
}

// decodeMap decodes a mapping with free-form string keys.
func (d *decoder) decodeMap(path string, n ast.Node, v reflect.Value) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.fail(path, n, "want a mapping, got %s", yamlnode.Describe(n))
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
		out.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
	}
	v.Set(out)
}

// decodeSlice decodes a sequence, element by element.
func (d *decoder) decodeSlice(path string, n ast.Node, v reflect.Value) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.fail(path, n, "want a list, got %s", yamlnode.Describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, elem := range seq.Values {
		d.decode(fmt.Sprintf("%s[%d]", path, i), elem, out.Index(i))
	}
	v.Set(out)
}

// key returns the text and path of a mapping entry's key, recording
// where the key is; a key that is not a scalar is a problem.
func (d *decoder) key(parent string, kv *ast.MappingValueNode) (string, string, bool) {
	key, ok := yamlnode.ScalarText(d.unwrap(parent, kv.Key))
	if !ok {
		d.fail(parent, kv.Key, "keys must be plain strings, got %s", yamlnode.Describe(kv.Key))
		return "", "", false
	}
	path := key
	if parent != "" {
		path = parent + "." + key
	}
	d.keys[path] = kv.Key
	return key, path, true
}

// unknownKey reports a key the schema does not have, suggesting close ones.
func (d *decoder) unknownKey(path string, n ast.Node, key string, valid []string) {
	if s := catalog.Suggest(key, valid); len(s) > 0 {
		d.addAt(n, path, fmt.Sprintf("unknown key %q; did you mean %q?", key, s[0]))
		return
	}
	d.addAt(n, path, fmt.Sprintf("unknown key %q; valid keys here: %s", key, strings.Join(valid, ", ")))
}
