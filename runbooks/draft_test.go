package runbooks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintGoesOnPastStructuralProblems: a step of an unknown kind stops
// Parse, but lint reports it together with an undefined reference in
// another step, in one run, and a mistake inside a step whose kind has
// an unknown key. Only what depends on the kind is skipped: results read
// of the unknown step are not questioned.
func TestLintGoesOnPastStructuralProblems(t *testing.T) {
	src := `name: mixed
steps:
  - id: first
    shell: rm -rf /
  - id: second
    when: steps.frist.status == "ok"
    notify: {channel: "#x", text: "{{ .steps.first.rows }}"}
  - id: third
    notify: {channel: "#x", text: "{{ .inputs.nope }}", colour: red}
`
	file := filepath.Join(t.TempDir(), "mixed.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(file, []byte(src)); err == nil {
		t.Fatal("Parse accepted a step of an unknown kind")
	}
	set, err := LoadForLint(file)
	if err != nil || len(set) != 1 {
		t.Fatalf("LoadForLint: %d runbooks, %v; want the draft and no error", len(set), err)
	}
	var got []string
	for _, p := range Lint(set, nil) {
		got = append(got, strings.TrimPrefix(p.String(), file))
	}
	want := []string{
		`:4:5: steps[0].shell: unknown step kind "shell"; a step is one of "check", "sql", "notify", "page", "approve", "wait", "backfill", "runbook", "parallel"`,
		`:6:11: steps[1].when: unknown step "frist"; did you mean "first"?`,
		`:9:39: steps[2].notify.text: unknown input "nope"; there are none here`,
		`:9:57: steps[2].notify.colour: unknown key "colour"; valid keys here: channel, text`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Lint of the draft:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLoadForLintOnlyRefusesWhatDoesNotDecode: a file that is not YAML
// has no draft; its problem comes back as Load's would.
func TestLoadForLintOnlyRefusesWhatDoesNotDecode(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"bad.yaml": "name: [\n", "good.yaml": "name: good\nsteps: [{id: a, notify: {channel: '#x', text: hi}}]\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := LoadForLint(dir)
	var ps *Problems
	if len(set) != 1 || set[0].draft != nil || !errors.As(err, &ps) || len(*ps) != 1 || !strings.Contains((*ps)[0].String(), "bad.yaml:") {
		t.Errorf("LoadForLint: %d runbooks, error %v; want good as it is and bad's syntax problem", len(set), err)
	}
}
