package config

import (
	"encoding"
	"reflect"
	"regexp"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// envName is what a shell can export; anything else is surely a typo.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// decodeText decodes a scalar through its UnmarshalText, as for
// durations and dates.
func (d *decoder) decodeText(path string, n ast.Node, v encoding.TextUnmarshaler) {
	text, ok := yamlnode.ScalarText(n)
	if !ok {
		d.Fail(path, n, "want a string, got %s", yamlnode.Describe(n))
		return
	}
	if err := v.UnmarshalText([]byte(text)); err != nil {
		d.Fail(path, n, "%v", err)
	}
}

// decodeTime decodes an RFC 3339 timestamp with a clearer message than
// time.Time's own.
func (d *decoder) decodeTime(path string, n ast.Node, v reflect.Value) {
	text, _ := yamlnode.ScalarText(n)
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		d.Fail(path, n, "want an RFC 3339 time like 2027-02-15T14:00:00Z, got %s", yamlnode.Describe(n))
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
			d.Fail(path, n, "secrets must not be written inline; use {env: NAME} or {file: PATH}")
		} else {
			d.Fail(path, n, "want {env: NAME} or {file: PATH}, got %s", yamlnode.Describe(n))
		}
		return
	}
	var ref struct {
		Env  string `yaml:"env"`
		File string `yaml:"file"`
	}
	before := len(d.problems)
	d.DecodeStruct(path, m, reflect.ValueOf(&ref).Elem())
	switch {
	case len(d.problems) > before:
		d.Failed[path] = true
	case ref.Env != "" && ref.File != "":
		d.Fail(path, n, "set either env or file, not both")
	case ref.Env != "" && !envName.MatchString(ref.Env):
		d.Failed[path] = true
		d.Fail(path+".env", d.ValueNodes[path+".env"], "%q is not an environment variable name; use letters, digits and _", ref.Env)
	case ref.Env != "":
		*s = EnvSecret(ref.Env)
	case ref.File != "":
		*s = FileSecret(ref.File)
	default:
		d.Fail(path, n, "want {env: NAME} or {file: PATH}")
	}
}
