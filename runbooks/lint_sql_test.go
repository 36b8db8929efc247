package runbooks

import (
	"strings"
	"testing"
)

// sqlRunbook is a runbook whose one sql step runs statement with params.
func sqlRunbook(t *testing.T, statement, params string) *Runbook {
	t.Helper()
	src := "name: inject\ndescription: d\ninputs:\n  - {name: x, type: string, required: true}\nsteps:\n" +
		"  - id: q\n    sql:\n      warehouse: local\n      statement: " + statement + "\n      params: " + params + "\n"
	rb, err := Parse("inject.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

func TestSQLInterpolationIsFlagged(t *testing.T) {
	tests := []struct {
		statement, params string
		want              string // a part of the one problem expected; "" for none
	}{
		{`SELECT * FROM t WHERE name = '{{ .inputs.x }}'`, "[]", "inject.yaml:9:48: steps[0].sql.statement: this {{ }} writes a value into the SQL text"},
		{`SELECT {{ printf "%s" .inputs.x }}`, "[]", "inject.yaml:9:25: steps[0].sql.statement: this {{ }}"},
		{`SELECT {{ ident .inputs.x | printf "%s" }}`, "[]", "inject.yaml:9:25: "},
		{`SELECT {{ $v := .inputs.x }}{{ $v }}`, "[]", "inject.yaml:9:46: "},
		{`SELECT * FROM t WHERE name = $1`, "[inputs.x]", ""},
		{`SELECT {{ ident .inputs.x }} FROM {{ table "orders" }}`, "[]", ""},
		{`SELECT {{ .inputs.x | ident }} FROM t`, "[]", ""},
		{`SELECT 1{{ if .inputs.x }} WHERE $1 > 0{{ end }}`, "[inputs.x]", ""},
		{`SELECT 1; SELECT 2`, "[]", "inject.yaml:9:18: steps[0].sql.statement: 2 statements separated by ';'"},
		{`SELECT ';' AS semi; -- trailing`, "[]", ""},
	}
	for _, tt := range tests {
		ps := Lint([]*Runbook{sqlRunbook(t, tt.statement, tt.params)}, []string{"orders"})
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		switch {
		case tt.want == "" && len(ps) > 0:
			t.Errorf("%s: want no problems, got\n%s", tt.statement, strings.Join(got, "\n"))
		case tt.want != "" && (len(ps) != 1 || !strings.Contains(got[0], tt.want)):
			t.Errorf("%s: want one problem with %q, got\n%s", tt.statement, tt.want, strings.Join(got, "\n"))
		}
	}
}
