package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/demo"
)

// demoConfig writes the demo dre.yaml, whose catalog runbooks are linted
// against, and returns the environment that points dre at it.
func demoConfig(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, demo.Config, 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"DRE_CONFIG": path}
}

func TestRunbookLintStockIsClean(t *testing.T) {
	res := clitest.Run(t, demoConfig(t), "runbook", "lint")
	if res.Code != 0 || !strings.Contains(res.Stdout, "4 runbooks ok") {
		t.Errorf("runbook lint of the stock runbooks: exit %d, stdout %q", res.Code, res.Stdout)
	}
}

func TestRunbookLintReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	late := "name: late\nsteps:\n  - id: fill\n    backfill: {dataset: ordrs, from: inputs.from, to: '\"2026-02-01\"'}\n" +
		"  - id: wipe\n    sql: {warehouse: local, statement: DELETE FROM t}\n"
	broken := "name: broken\nsteps: {}\n"
	for name, content := range map[string]string{"late.yaml": late, "broken.yaml": broken} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := clitest.Run(t, demoConfig(t), "runbook", "lint", dir)
	want := []string{
		filepath.Join(dir, "broken.yaml") + ":2:1: steps: want a list, got a mapping",
		filepath.Join(dir, "late.yaml") + `:4:25: steps[0].backfill.dataset: unknown dataset "ordrs"; did you mean "orders"?`,
		filepath.Join(dir, "late.yaml") + `:4:38: steps[0].backfill.from: unknown input "from"; there are none here`,
		filepath.Join(dir, "late.yaml") + ":6:40: steps[1].sql.statement: DELETE is destructive",
	}
	for _, w := range want {
		if !strings.Contains(res.Stdout, w) {
			t.Errorf("runbook lint output lacks %q", w)
		}
	}
	if res.Code != 1 || !strings.Contains(res.Stderr, "4 problems in runbooks") {
		t.Errorf("runbook lint of broken runbooks: exit %d (want 1), stderr %q", res.Code, res.Stderr)
	}
}

func TestRunbookLintGoesOnPastAnUnknownKind(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mixed.yaml")
	src := "name: mixed\nsteps:\n  - id: first\n    shell: rm -rf /\n  - id: second\n    when: steps.frist.status == 'ok'\n    notify: {channel: '#x', text: hi}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := clitest.Run(t, demoConfig(t), "runbook", "lint", file)
	want := []string{
		file + `:4:5: steps[0].shell: unknown step kind "shell"`,
		file + `:6:11: steps[1].when: unknown step "frist"; did you mean "first"?`,
	}
	for _, w := range want {
		if !strings.Contains(res.Stdout, w) {
			t.Errorf("runbook lint output lacks %q; stdout:\n%s", w, res.Stdout)
		}
	}
	if res.Code != 1 || !strings.Contains(res.Stderr, "2 problems in runbooks") {
		t.Errorf("runbook lint: exit %d (want 1), stderr %q", res.Code, res.Stderr)
	}
}

func TestRunbookListAndSchema(t *testing.T) {
	res := clitest.Run(t, nil, "runbook", "list")
	for _, want := range []string{"RUNBOOK", "stale-table", "dataset*, max_wait=2h", "stock/stale-table.yaml", "pii-leak"} {
		if res.Code != 0 || !strings.Contains(res.Stdout, want) {
			t.Errorf("runbook list: exit %d, output lacks %q", res.Code, want)
		}
	}
	res = clitest.Run(t, nil, "runbook", "schema")
	var schema map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &schema); err != nil || schema["$schema"] == nil {
		t.Errorf("runbook schema: %v, want a JSON Schema document", err)
	}
}

// writeRunbooks writes runbook files (name → YAML) to a new directory.
func writeRunbooks(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunbookDryRunCarriesCalleesAndNamedDatasets(t *testing.T) {
	dir := writeRunbooks(t, map[string]string{"tally.yaml": `name: tally
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: count
    sql: {warehouse: local, statement: 'SELECT count(*) FROM {{ table "customers" }}'}
  - id: fix
    runbook: {name: stale-table, inputs: {dataset: inputs.dataset}}
`})
	res := clitest.Run(t, demoConfig(t), "runbook", "run", "tally", "--runbooks", dir, "--dataset", "orders", "--dry-run")
	for _, want := range []string{"Plan of runbook tally on orders", `FROM "public"."customers"`, "run runbook stale-table (dataset=inputs.dataset)"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("dry run prints no %q; exit %d, stdout %q, stderr %q", want, res.Code, res.Stdout, res.Stderr)
		}
	}
}

func TestRunbookRunRefusesCallLoops(t *testing.T) {
	dir := writeRunbooks(t, map[string]string{
		"ping.yaml": "name: ping\nsteps:\n  - {id: call, runbook: {name: pong}}\n",
		"pong.yaml": "name: pong\nsteps:\n  - {id: call, runbook: {name: ping}}\n",
	})
	res := clitest.Run(t, demoConfig(t), "runbook", "run", "ping", "--runbooks", dir, "--dry-run")
	if res.Code != 1 || !strings.Contains(res.Stderr, "runbooks call each other in a loop: ping → pong → ping") {
		t.Errorf("run of a call loop: exit %d, stderr %q; want the loop named", res.Code, res.Stderr)
	}
}
