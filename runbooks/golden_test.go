package runbooks

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/broken/*.golden from the current output")

// TestBrokenRunbooks lints every file of testdata/broken together with
// the stock runbooks (first, so that they keep their names) and compares each file's problems with its golden
// file: a file that does not parse gets its parse problems, the others
// their lint problems.
func TestBrokenRunbooks(t *testing.T) {
	const dir = "testdata/broken"
	set, err := LoadFS(os.DirFS(dir), ".")
	var ps Problems
	if lp := (*Problems)(nil); errors.As(err, &lp) {
		ps = append(ps, *lp...)
	} else if err != nil {
		t.Fatal(err)
	}
	stock, err := Stock()
	if err != nil {
		t.Fatal(err)
	}
	ps = append(ps, Lint(append(stock, set...), demoDatasets(t))...)
	byFile := map[string][]string{}
	for _, p := range ps {
		byFile[p.File] = append(byFile[p.File], p.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	for _, f := range files {
		name := filepath.Base(f)
		if len(byFile[name]) == 0 {
			t.Errorf("%s has no problems; every file here must show some", name)
		}
		compareGolden(t, strings.TrimSuffix(f, ".yaml")+".golden", strings.Join(byFile[name], "\n")+"\n")
		delete(byFile, name)
	}
	for file, lines := range byFile {
		t.Errorf("problems in %s, which is not a broken runbook:\n%s", file, strings.Join(lines, "\n"))
	}
}

// compareGolden compares got with the golden file, or rewrites it under
// -update.
func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestBrokenRunbooks -update to write it)", err)
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		g, w := lineAt(gotLines, i), lineAt(wantLines, i)
		if g != w {
			t.Errorf("%s line %d:\n got  %s\n want %s", golden, i+1, g, w)
		}
	}
}

// lineAt returns lines[i], or "" past the end.
func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}
