package yamlnode

import (
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml/ast"
)

// Hooks is what a file format adds to the Decoder: the types it decodes
// itself and where its problems go.
type Hooks interface {
	// Special decodes n into v when v's type is one the format treats
	// itself, and says whether it did; the Decoder handles the others by
	// their kind. It sees empty values too.
	Special(path string, n ast.Node, v reflect.Value) bool
	// Report records a problem about the value at path, found at node at.
	Report(path string, at ast.Node, msg string)
	// UnknownKey reports key, which struct type t lacks, written at node
	// at in the mapping at path; kpath is the key's own path.
	UnknownKey(path, kpath, key string, at ast.Node, t reflect.Type)
}

// Decoder fills Go values from a YAML syntax tree. It walks the tree
// itself, rather than calling yaml.Unmarshal, so that it keeps going after
// a mistake, reports every one with its position, and records where each
// key path is for the checks that come after decoding.
type Decoder struct {
	ValueNodes map[string]ast.Node // key path → its value, aliases resolved
	KeyNodes   map[string]ast.Node // key path → its key
	Failed     map[string]bool     // paths whose value could not be decoded
	// SelfMerge is the problem reported at a merge key (<<) that merges a
	// mapping into itself; "" says it as of any alias that contains itself.
	SelfMerge string
	// KeysListed is how many keys "want a mapping with keys ..." names at
	// most, all when 0; a struct with more gets just "want a mapping".
	KeysListed int

	hooks   Hooks
	naming  Naming
	anchors Anchors
	// open holds the nodes being decoded, so that an alias to a node that
	// contains it is a problem rather than an endless recursion.
	open map[ast.Node]bool
	// budget is how many more values the file may expand to: aliases can
	// make a small file expand exponentially (the "billion laughs").
	budget int
}

// maxExpansion bounds the values aliases and merge keys add to a file
// beyond those written out: hand-written files have a few hundred.
const maxExpansion = 100_000

// NewDecoder returns a Decoder that reports through hooks and finds the
// key of each struct field with naming.
func NewDecoder(hooks Hooks, naming Naming) *Decoder {
	return &Decoder{
		ValueNodes: map[string]ast.Node{},
		KeyNodes:   map[string]ast.Node{},
		Failed:     map[string]bool{},
		hooks:      hooks,
		naming:     naming,
		anchors:    Anchors{},
		open:       map[ast.Node]bool{},
	}
}

// DecodeDocument stores the document body root into v, which must be
// settable. Anchors are collected up front, so that an alias resolves
// even when its anchor sits under a key the decoder skips.
func (d *Decoder) DecodeDocument(root ast.Node, v reflect.Value) {
	d.anchors.Collect(root)
	d.budget = maxExpansion + countNodes(root)
	d.Decode("", root, v)
}

// Decode stores n into v, which must be settable, reporting problems at
// path instead of stopping at the first one.
func (d *Decoder) Decode(path string, n ast.Node, v reflect.Value) {
	written := n // an alias, rather than what it refers to, places a loop
	if n = d.resolve(path, n); n == nil || !d.enter(path, written, n, "an alias here refers to a value that contains it") {
		return
	}
	defer delete(d.open, n)
	d.ValueNodes[path] = n
	d.decodeValue(path, n, v)
}

// decodeValue stores the resolved node n into v, by v's kind unless the
// format decodes v's type itself.
func (d *Decoder) decodeValue(path string, n ast.Node, v reflect.Value) {
	switch {
	case d.hooks.Special(path, n, v):
	case IsNull(n): // an empty value is an absent one
	case v.Kind() == reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.decodeValue(path, n, v.Elem())
	case v.Kind() == reflect.Struct:
		d.DecodeStruct(path, n, v)
	case v.Kind() == reflect.Map:
		d.decodeMap(path, n, v)
	case v.Kind() == reflect.Slice:
		d.decodeSlice(path, n, v)
	default:
		d.decodeScalar(path, n, v)
	}
}

// Fail reports a problem with the value at path, found at node at, and
// marks path as undecodable, so that the checks after decoding do not
// pile a second complaint on it.
func (d *Decoder) Fail(path string, at ast.Node, format string, args ...any) {
	d.Failed[path] = true
	d.hooks.Report(path, at, fmt.Sprintf(format, args...))
}

// resolve looks through anchors, aliases and tags to the node holding the
// value. An alias to an unknown anchor is a problem and gives nil.
func (d *Decoder) resolve(path string, n ast.Node) ast.Node {
	v, err := d.anchors.Resolve(n)
	if err != nil {
		d.Fail(path, n, "%v", err)
	}
	return v
}

// enter marks n as being decoded, unless that would loop (loop says so)
// or go over budget; either is reported at written, the node as written.
func (d *Decoder) enter(path string, written, n ast.Node, loop string) bool {
	d.budget--
	switch {
	case d.budget < 0:
		if d.budget == -1 {
			d.Fail(path, written, "the file expands to more than %d values; are aliases nested too deep?", maxExpansion)
		}
	case d.open[n]:
		d.Fail(path, written, "%s", loop)
	default:
		d.open[n] = true
		return true
	}
	return false
}

// countNodes returns how many nodes the tree under root has.
func countNodes(root ast.Node) int {
	var c nodeCounter
	ast.Walk(&c, root)
	return int(c)
}

// nodeCounter is an ast.Visitor counting the nodes it visits.
type nodeCounter int

// Visit counts n and keeps walking.
func (c *nodeCounter) Visit(ast.Node) ast.Visitor {
	*c++
	return c
}
