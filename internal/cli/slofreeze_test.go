package cli

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

func TestWritesSQLLooksEverywhere(t *testing.T) {
	sql := func(stmt string) runbooks.Step { return runbooks.Step{SQL: &runbooks.SQLStep{Statement: stmt}} }
	read := runbooks.Runbook{Steps: []runbooks.Step{sql("SELECT count(*) FROM t"), {Notify: &runbooks.NotifyStep{}}}}
	branch := runbooks.Runbook{Steps: []runbooks.Step{{Parallel: &runbooks.ParallelStep{Branches: [][]runbooks.Step{{sql("select 1")}, {sql("INSERT INTO t SELECT 1")}}}}}}
	handler := runbooks.Runbook{Steps: []runbooks.Step{{OnFailure: runbooks.OnFailure{Steps: []runbooks.Step{sql("UPDATE t SET x = 1 WHERE id = 2")}}}}}
	tests := []struct {
		name string
		in   workflows.RunbookInput
		want bool
	}{
		{"only SELECTs", workflows.RunbookInput{Runbook: read}, false},
		{"a write in a parallel branch", workflows.RunbookInput{Runbook: branch}, true},
		{"a write in a failure handler", workflows.RunbookInput{Runbook: handler}, true},
		{"a write in a called runbook", workflows.RunbookInput{Runbook: read, Callees: map[string]runbooks.Runbook{"fix": handler}}, true},
	}
	for _, tt := range tests {
		if got := writesSQL(tt.in); got != tt.want {
			t.Errorf("%s: writesSQL = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLintedCleanRefusesOnlyTheRunbooksItRuns(t *testing.T) {
	in := workflows.RunbookInput{Runbook: runbooks.Runbook{Name: "fix", Source: runbooks.Source{File: "ops/fix.yaml"}}}
	other := runbooks.Problems{{File: "ops/other.yaml", Line: 3, Message: "unknown step kind"}}
	var out strings.Builder
	if err := lintedClean(&out, in, other); err != nil || out.Len() != 0 {
		t.Fatalf("a problem in another file: %v, %q; want the run allowed", err, out.String())
	}
	own := append(other, runbooks.Problem{File: "ops/fix.yaml", Line: 7, Column: 5, Path: "steps[1]", Message: "DELETE without an approve step before it"})
	err := lintedClean(&out, in, own)
	if err == nil || !strings.Contains(out.String(), "ops/fix.yaml:7:5") || strings.Contains(out.String(), "other.yaml") {
		t.Fatalf("a problem in its own file: %v, %q; want a refusal printing file:line:column", err, out.String())
	}
}
