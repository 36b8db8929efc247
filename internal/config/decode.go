package config

import (
	"encoding"
	"reflect"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// decoder fills a dre.yaml's Go values with yamlnode's Decoder, adding
// the types dre.yaml treats specially (secrets, times, anything with an
// UnmarshalText) and collecting problems that name the file. The nodes
// it records place the problems the checks after decoding find.
type decoder struct {
	*yamlnode.Decoder
	file     string
	problems Problems
}

// newDecoder returns a decoder whose problems name file.
func newDecoder(file string) *decoder {
	d := &decoder{file: file}
	d.Decoder = yamlnode.NewDecoder(d, yamlnode.TaggedOrLower)
	d.SelfMerge = "<< merges a mapping into itself"
	d.KeysListed = 6 // longer lists hide the point
	return d
}

// Types the decoder handles before looking at their kind.
var (
	secretType          = reflect.TypeFor[Secret]()
	timeType            = reflect.TypeFor[time.Time]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// Special decodes the types dre.yaml treats specially (see
// yamlnode.Hooks); an empty value leaves any of them at its default.
func (d *decoder) Special(path string, n ast.Node, v reflect.Value) bool {
	switch {
	case yamlnode.IsNull(n):
		return false
	case v.Type() == secretType:
		d.decodeSecret(path, n, v.Addr().Interface().(*Secret))
	case v.Type() == timeType:
		d.decodeTime(path, n, v)
	case reflect.PointerTo(v.Type()).Implements(textUnmarshalerType):
		d.decodeText(path, n, v.Addr().Interface().(encoding.TextUnmarshaler))
	default:
		return false
	}
	return true
}

// Report records a decoding problem at the node it was found at.
func (d *decoder) Report(path string, at ast.Node, msg string) {
	d.addAt(at, path, msg)
}

// UnknownKey reports a key the schema does not have, suggesting close
// ones; the rest of the mapping is still checked.
func (d *decoder) UnknownKey(_, kpath, key string, at ast.Node, t reflect.Type) {
	msg, _ := yamlnode.UnknownKeyMessage(key, yamlnode.Keys(t, yamlnode.TaggedOrLower))
	d.addAt(at, kpath, msg)
}

// addAt records a problem positioned at n.
func (d *decoder) addAt(n ast.Node, path, message string) {
	line, col := yamlnode.Position(n)
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Column: col, Path: path, Message: message})
}
