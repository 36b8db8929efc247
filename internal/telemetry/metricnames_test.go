package telemetry

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// metricConstants reads the values of the exported Metric* string
// constants declared in the non-test files of dir.
func metricConstants(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range spec.Names {
				if lit, ok := valueAt(spec, i).(*ast.BasicLit); ok && strings.HasPrefix(id.Name, "Metric") && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					names = append(names, v)
				}
			}
			return true
		})
	}
	return names
}

func valueAt(spec *ast.ValueSpec, i int) ast.Expr {
	if i < len(spec.Values) {
		return spec.Values[i]
	}
	return nil
}

// TestEveryMetricConstantIsCheckedByPromtool: a Metric* constant added to
// the activities, workflows or gateway packages without help text and without a place
// in the promtool check fails here, instead of reaching /metrics bare.
func TestEveryMetricConstantIsCheckedByPromtool(t *testing.T) {
	checked := dreSeries()
	for _, dir := range []string{"../../activities", "../../workflows", "../gateway"} {
		declared := metricConstants(t, dir)
		if len(declared) == 0 {
			t.Fatalf("no Metric* constants found in %s; has the package moved?", dir)
		}
		for _, name := range declared {
			if !slices.Contains(checked, name) {
				t.Errorf("%s declares metric %q, which the promtool check does not record; add it to dreCounters, dreTimers or dreGauges and its help to seriesHelp", dir, name)
			}
			if _, ok := seriesHelp[name]; !ok {
				t.Errorf("metric %q (declared in %s) has no help text in seriesHelp", name, dir)
			}
		}
	}
}
