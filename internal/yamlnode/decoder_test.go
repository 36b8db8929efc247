package yamlnode

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
)

// upper is a type the test format decodes itself.
type upper string

// recorder is a test format: it decodes upper, and records problems as
// "line:col path: message".
type recorder struct{ problems []string }

func (r *recorder) Special(_ string, n ast.Node, v reflect.Value) bool {
	if v.Type() != reflect.TypeFor[upper]() || IsNull(n) {
		return false
	}
	text, _ := ScalarText(n)
	v.SetString(strings.ToUpper(text))
	return true
}

func (r *recorder) Report(path string, at ast.Node, msg string) {
	line, col := Position(at)
	r.problems = append(r.problems, fmt.Sprintf("%d:%d %s: %s", line, col, path, msg))
}

func (r *recorder) UnknownKey(_, kpath, key string, at ast.Node, t reflect.Type) {
	msg, _ := UnknownKeyMessage(key, Keys(t, Tagged))
	r.Report(kpath, at, msg)
}

// decodeSample decodes src into a sample with a decoder that set has set
// up, returning the sample, the problems and the decoder.
func decodeSample(t *testing.T, src string, set func(*Decoder)) (sample, []string, *Decoder) {
	t.Helper()
	file, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	d := NewDecoder(r, Tagged)
	set(d)
	var s sample
	d.DecodeDocument(Body(file, func(ast.Node) { t.Error("a second document") }), reflect.ValueOf(&s).Elem())
	return s, r.problems, d
}

// sample is what the test format's files hold.
type sample struct {
	Name  upper             `yaml:"name"`
	Count int               `yaml:"count"`
	Ratio float64           `yaml:"ratio"`
	Tags  map[string]string `yaml:"tags"`
	Items []*sample         `yaml:"items"`
}

func TestDecoderHooksAndKinds(t *testing.T) {
	src := "name: top\ncount: 2\nratio: 1\ntags: &t {a: b}\nitems:\n  - {name: x, tags: {<<: *t, c: d}}\n  - {nmae: y}\n  - count: many\n"
	s, problems, d := decodeSample(t, src, func(*Decoder) {})
	if s.Name != "TOP" || s.Count != 2 || s.Ratio != 1 || s.Items[0].Name != "X" || s.Items[0].Tags["a"] != "b" {
		t.Errorf("decoded %+v, items[0] %+v", s, s.Items[0])
	}
	want := []string{
		`7:6 items[1].nmae: unknown key "nmae"; did you mean "name"?`,
		`8:12 items[2].count: want a whole number, got "many"`,
	}
	if got := strings.Join(problems, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if line, _ := Position(d.KeyNodes["items[0].tags.c"]); line != 6 {
		t.Errorf("key items[0].tags.c recorded at line %d, want 6", line)
	}
	if !d.Failed["items[2].count"] || d.Failed["items[1]"] {
		t.Errorf("failed paths %v, want just items[2].count", d.Failed)
	}
}

func TestDecoderLoopsAndBudget(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("tags: &m0 {a: b}\nitems:\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&bomb, "  - {tags: &m%d {<<: [*m%d, *m%d]}}\n", i, i-1, i-1)
	}
	tests := []struct {
		name, src, selfMerge, want string
	}{
		{"alias in itself", "items: &i\n  - items: *i\n", "", "2:12 items[0].items: an alias here refers to a value that contains it"},
		{"merge of itself", "tags: &m\n  <<: *m\n", "", "2:7 tags: an alias here refers to a value that contains it"},
		{"merge of itself, worded", "tags: &m\n  <<: *m\n", "<< merges itself", "2:7 tags: << merges itself"},
		{"merge bomb", bomb.String(), "", "the file expands to more than 100000 values; are aliases nested too deep?"},
	}
	for _, tt := range tests {
		_, problems, _ := decodeSample(t, tt.src, func(d *Decoder) { d.SelfMerge = tt.selfMerge })
		if len(problems) == 0 || !strings.Contains(problems[0], tt.want) {
			t.Errorf("%s: problems %q, want %q first", tt.name, problems, tt.want)
		}
	}
}

func TestDecoderListsKeysUpToItsLimit(t *testing.T) {
	for limit, want := range map[int]string{
		0: `2:5 items[0]: want a mapping with keys name, count, ratio, tags, items, got "x"`,
		5: `2:5 items[0]: want a mapping with keys name, count, ratio, tags, items, got "x"`,
		4: `2:5 items[0]: want a mapping, got "x"`,
	} {
		_, problems, _ := decodeSample(t, "items:\n  - x\n", func(d *Decoder) { d.KeysListed = limit })
		if strings.Join(problems, "\n") != want {
			t.Errorf("KeysListed %d: problems %q, want %q", limit, problems, want)
		}
	}
}
