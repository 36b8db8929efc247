package config

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// envName is what a shell can export; anything else is surely a typo.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// decodeScalar decodes strings, booleans and numbers.
func (d *decoder) decodeScalar(path string, n ast.Node, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		text, ok := yamlnode.ScalarText(n)
		if !ok {
			d.fail(path, n, "want a string, got %s", yamlnode.Describe(n))
			return
		}
		v.SetString(text)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.fail(path, n, "want true or false, got %s", yamlnode.Describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int64, reflect.Float64:
		d.decodeNumber(path, n, v)
	default:
		panic(fmt.Sprintf("config: no YAML decoding for %s at %s", v.Type(), path))
	}
}

// decodeNumber decodes an integer or a float; an integer is as good a
// float as any (objective: 1 is 1.0), but not the other way round.
func (d *decoder) decodeNumber(path string, n ast.Node, v reflect.Value) {
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
		d.fail(path, n, "want a whole number, got %s", yamlnode.Describe(n))
	} else {
		d.fail(path, n, "want a number, got %s", yamlnode.Describe(n))
	}
}

// decodeText decodes a scalar through its UnmarshalText, as for
// durations and dates.
func (d *decoder) decodeText(path string, n ast.Node, v encoding.TextUnmarshaler) {
	text, ok := yamlnode.ScalarText(n)
	if !ok {
		d.fail(path, n, "want a string, got %s", yamlnode.Describe(n))
		return
	}
	if err := v.UnmarshalText([]byte(text)); err != nil {
		d.fail(path, n, "%v", err)
	}
}

// decodeTime decodes an RFC 3339 timestamp with a clearer message than
// time.Time's own.
func (d *decoder) decodeTime(path string, n ast.Node, v reflect.Value) {
	text, _ := yamlnode.ScalarText(n)
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		d.fail(path, n, "want an RFC 3339 time like 2027-02-15T14:00:00Z, got %s", yamlnode.Describe(n))
		return
	}
	v.Set(reflect.ValueOf(t))
}

// decodeSecret decodes {env: NAME} or {file: PATH}, refusing inline
// values: a credential pasted into dre.yaml ends up in version control.
func (d *decoder) decodeSecret(path string, n ast.Node, s *Secret) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		if _, isScalar := yamlnode.ScalarText(n); isScalar {
			d.fail(path, n, "secrets must not be written inline; use {env: NAME} or {file: PATH}")
		} else {
			d.fail(path, n, "want {env: NAME} or {file: PATH}, got %s", yamlnode.Describe(n))
		}
		return
	}
	var ref struct {
		Env  string `yaml:"env"`
		File string `yaml:"file"`
	}
	before := len(d.problems)
	d.decodeStruct(path, m, reflect.ValueOf(&ref).Elem())
	switch {
	case len(d.problems) > before:
		d.failed[path] = true
	case ref.Env != "" && ref.File != "":
		d.fail(path, n, "set either env or file, not both")
	case ref.Env != "" && !envName.MatchString(ref.Env):
		d.failed[path] = true
		d.fail(path+".env", d.values[path+".env"], "%q is not an environment variable name; use letters, digits and _", ref.Env)
	case ref.Env != "":
		*s = EnvSecret(ref.Env)
	case ref.File != "":
		*s = FileSecret(ref.File)
	default:
		d.fail(path, n, "want {env: NAME} or {file: PATH}")
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
