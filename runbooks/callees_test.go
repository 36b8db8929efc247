package runbooks

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// parsedSet parses runbooks given as file name → YAML, by runbook name.
func parsedSet(t *testing.T, files map[string]string) map[string]*Runbook {
	t.Helper()
	out := map[string]*Runbook{}
	for file, yaml := range files {
		rb, err := Parse(file, []byte(yaml))
		if err != nil {
			t.Fatalf("%s does not parse: %v", file, err)
		}
		out[rb.Name] = rb
	}
	return out
}

// callYAML is a runbook called name whose only step calls callee.
func callYAML(name, callee string) string {
	return "name: " + name + "\nsteps:\n  - id: call\n    runbook: {name: " + callee + "}\n"
}

const leafYAML = "name: leaf\nsteps:\n  - {id: hi, notify: {channel: '#x', text: hi}}\n"

func TestCalleesFollowsNestedAndRepeatedCalls(t *testing.T) {
	set := parsedSet(t, map[string]string{
		"top.yaml": `name: top
steps:
  - id: first
    runbook: {name: middle}
    on_failure:
      steps:
        - {id: rescue, runbook: {name: side}}
  - id: both
    parallel:
      branches:
        - - {id: again, runbook: {name: middle}}
        - - {id: leaf_too, runbook: {name: leaf}}
`,
		"middle.yaml": callYAML("middle", "leaf"),
		"side.yaml":   callYAML("side", "leaf"),
		"leaf.yaml":   leafYAML,
		"unused.yaml": callYAML("unused", "leaf"),
	})
	got, err := Callees(set["top"], set)
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(got))
	if want := []string{"leaf", "middle", "side"}; !slices.Equal(names, want) {
		t.Fatalf("callees %v, want %v", names, want)
	}
	if got["side"].Source.File != "side.yaml" || len(got["leaf"].Steps) != 1 {
		t.Errorf("callees carry the wrong definitions: %+v", got)
	}
}

func TestCalleesOfARunbookWithoutCallsIsEmpty(t *testing.T) {
	set := parsedSet(t, map[string]string{"leaf.yaml": leafYAML})
	got, err := Callees(set["leaf"], set)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Callees = %v, %v; want an empty map", got, err)
	}
}

func TestCalleesRefusesLoops(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"self", map[string]string{"a.yaml": callYAML("a", "a")}, "a → a"},
		{"through the top", map[string]string{"a.yaml": callYAML("a", "b"), "b.yaml": callYAML("b", "a")}, "a → b → a"},
		{"below the top", map[string]string{"a.yaml": callYAML("a", "b"), "b.yaml": callYAML("b", "c"), "c.yaml": callYAML("c", "b")}, "b → c → b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set := parsedSet(t, tt.files)
			got, err := Callees(set["a"], set)
			if err == nil || got != nil {
				t.Fatalf("Callees = %v, %v; want a loop error", got, err)
			}
			if want := "runbooks call each other in a loop: " + tt.want; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
}

func TestCalleesRefusesUnknownRunbooks(t *testing.T) {
	set := parsedSet(t, map[string]string{"a.yaml": callYAML("a", "b"), "b.yaml": callYAML("b", "leef"), "leaf.yaml": leafYAML})
	got, err := Callees(set["a"], set)
	if err == nil || got != nil {
		t.Fatalf("Callees = %v, %v; want an unknown runbook error", got, err)
	}
	for _, part := range []string{"b.yaml:3:5", "runbook b, step call", `unknown runbook "leef"`, `did you mean "leaf"?`} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
}
