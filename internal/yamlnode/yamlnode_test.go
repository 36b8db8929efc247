package yamlnode

import (
	"reflect"
	"slices"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

func TestNamingsDifferOnlyOnUntaggedFields(t *testing.T) {
	type sample struct {
		Name    string `yaml:"name,omitempty"`
		Skipped string `yaml:"-"`
		Plain   string
		//lint:ignore U1000 the field exists to show that unexported fields have no key
		hidden string // unexported: never in the file
	}
	st := reflect.TypeFor[sample]()
	if got := Keys(st, Tagged); !slices.Equal(got, []string{"name"}) {
		t.Errorf("Tagged keys %v, want [name]", got)
	}
	if got := Keys(st, TaggedOrLower); !slices.Equal(got, []string{"name", "plain"}) {
		t.Errorf("TaggedOrLower keys %v, want [name plain]", got)
	}
	if got := Fields(st, TaggedOrLower); got["plain"] != 2 || len(got) != 2 {
		t.Errorf("TaggedOrLower fields %v, want name:0 plain:2", got)
	}
}

func TestPositionAndDescribe(t *testing.T) {
	file, err := parser.ParseBytes([]byte("top:\n  first: 1\n  list: [a]\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	body := file.Docs[0].Body
	if line, col := Position(body); line != 1 || col != 1 {
		t.Errorf("document at %d:%d, want its first key at 1:1", line, col)
	}
	if got := Describe(body); got != "a mapping" {
		t.Errorf("Describe(document) = %q", got)
	}
	if line, col := Position(nil); line != 0 || col != 0 {
		t.Errorf("no node at %d:%d, want 0:0", line, col)
	}
}
