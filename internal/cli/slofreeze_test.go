package cli

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/runbooks"
	"github.com/dre-dev/dre/workflows"
)

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
