package runbooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// everyKind is a runbook with a step of each kind, in flow and block style.
const everyKind = `name: every-kind
description: One step of each kind.
inputs:
  - {name: dataset, type: dataset, default: orders}
steps:
  - id: fresh
    check: {dataset: "{{ .inputs.dataset }}", check: freshness}
    on_failure: continue
  - id: count
    sql: {dataset: orders, statement: "SELECT 1 AS one", params: [inputs.dataset]}
    outputs: {one: steps.count.row.one}
  - id: tell
    notify: {channel: owner, text: hi}
  - id: page
    page: {service: owner, summary: down}
  - id: ask
    approve: {approvers: [U1], timeout: 1h}
    on_failure:
      steps:
        - id: sorry
          notify: {channel: owner, text: rejected}
  - id: wait
    timeout: 2h
    wait: {until: {dataset: orders, check: volume}}
  - id: fill
    backfill: {dataset: orders, from: steps.fresh.latest, to: steps.fresh.as_of}
  - id: call
    runbook: {name: stale-table, inputs: {dataset: inputs.dataset}}
  - id: both
    parallel:
      branches:
        - - id: left
            notify: {channel: "#a", text: l}
        - - id: right
            notify: {channel: "#b", text: r}
`

func TestParseEveryKind(t *testing.T) {
	rb, err := Parse("every.yaml", []byte(everyKind))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var kinds []string
	for _, s := range rb.Steps {
		kinds = append(kinds, string(s.Kind))
	}
	if got, want := strings.Join(kinds, " "), "check sql notify page approve wait backfill runbook parallel"; got != want {
		t.Errorf("kinds = %s, want %s", got, want)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"step position", rb.Steps[1].Pos, Position{Line: 9, Column: 5}},
		{"nested position", rb.Steps[8].Parallel.Branches[1][0].Pos, Position{Line: 34, Column: 13}},
		{"default on_failure", rb.Steps[1].OnFailure, OnFailure{Action: FailureStop}},
		{"on_failure continue", rb.Steps[0].OnFailure.Action, FailureContinue},
		{"on_failure steps", rb.Steps[4].OnFailure.Then, FailureStop},
		{"handler step", rb.Steps[4].OnFailure.Steps[0].Notify.Text, "rejected"},
		{"default severity", rb.Steps[3].Page.Severity, SeverityError},
		{"default decision", rb.Steps[4].Approve.Default, Reject},
		{"default polling", rb.Steps[5].Wait.Every, DefaultPollInterval},
		{"params", rb.Steps[1].SQL.Params, []string{"inputs.dataset"}},
		{"outputs", rb.Steps[1].Outputs, map[string]string{"one": "steps.count.row.one"}},
		{"call inputs", rb.Steps[7].Call.Inputs, map[string]string{"dataset": "inputs.dataset"}},
		{"source", rb.Source.File, "every.yaml"},
		{"hash", rb.Source.Hash, Hash(rb)},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseAnchorsAliasesAndMerges(t *testing.T) {
	src := `name: anchors
x-check: &fresh {dataset: orders, check: freshness}
steps:
  - id: a
    check: *fresh
  - id: b
    check:
      <<: *fresh
      check: volume
`
	_, err := Parse("a.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `unknown key "x-check"`) {
		t.Fatalf("Parse: %v, want only the unknown x-check key", err)
	}
	rb, err := Parse("a.yaml", []byte(strings.Replace(src, "x-check: &fresh {", "description: &fresh {", 1)))
	if err == nil || !strings.Contains(err.Error(), "description: want a string, got a mapping") {
		t.Fatalf("Parse: %v, %v", rb, err)
	}
	src = strings.Replace(src, "x-check: &fresh {dataset: orders, check: freshness}\n", "", 1)
	src = strings.Replace(src, "    check: *fresh\n", "    check: &fresh {dataset: orders, check: freshness}\n", 1)
	rb, err = Parse("a.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := *rb.Steps[1].Check; got != (CheckStep{Dataset: "orders", Check: "volume"}) {
		t.Errorf("merged check = %+v, want orders volume", got)
	}
}

func TestJSONRoundTripAndHash(t *testing.T) {
	stock, err := Stock()
	if err != nil {
		t.Fatal(err)
	}
	for _, rb := range stock {
		data, err := json.Marshal(rb)
		if err != nil {
			t.Fatal(err)
		}
		var back Runbook
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		rb.where = nil // positions for lint do not travel
		if !reflect.DeepEqual(&back, rb) {
			t.Errorf("%s does not survive a JSON round trip", rb.Name)
		}
		if Hash(&back) != rb.Source.Hash {
			t.Errorf("%s: hash changed in a JSON round trip", rb.Name)
		}
	}
}

func TestHashIgnoresLayoutOnly(t *testing.T) {
	base, err := Parse("a.yaml", []byte(everyKind))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, src string
		same            bool
	}{
		{"moved and commented", "b/c.yaml", "# a comment\n\n" + everyKind, true},
		{"flow style", "a.yaml", strings.Replace(everyKind, "    notify: {channel: owner, text: hi}",
			"    notify:\n      channel: owner\n      text: hi", 1), true},
		{"text changed", "a.yaml", strings.Replace(everyKind, "text: hi", "text: hello", 1), false},
		{"default written out", "a.yaml", strings.Replace(everyKind, "    notify: {channel: owner, text: hi}\n",
			"    notify: {channel: owner, text: hi}\n    on_failure: stop\n", 1), true},
		{"step added", "a.yaml", everyKind + "  - id: extra\n    notify: {channel: owner, text: x}\n", false},
	}
	for _, tt := range tests {
		rb, err := Parse(tt.file, []byte(tt.src))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if same := rb.Source.Hash == base.Source.Hash; same != tt.same {
			t.Errorf("%s: hash unchanged = %v, want %v", tt.name, same, tt.same)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.yaml", "name: good\nsteps: [{id: a, notify: {channel: '#x', text: hi}}]\n")
	write("bad.yml", "name: bad\nsteps: []\n")
	write("notes.txt", "not a runbook")
	missing := filepath.Join(dir, "missing.yaml")
	set, err := Load(dir, missing)
	if len(set) != 1 || set[0].Name != "good" {
		t.Errorf("Load returned %d runbooks, want just good", len(set))
	}
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load error = %v, want *Problems", err)
	}
	want := []string{
		filepath.Join(dir, "bad.yml") + ":2:1: steps: a runbook needs at least one step",
		missing + ": cannot read runbooks: no such file or directory",
	}
	if got := strings.Split(ps.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("Load problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if set, err := Load(filepath.Join(dir, "good.yaml")); err != nil || len(set) != 1 {
		t.Errorf("Load of one file: %d runbooks, %v", len(set), err)
	}
}

func TestParseAliasLoopsAndBombs(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("name: bomb\nsteps:\n  - &a0 {id: a, notify: {channel: c, text: t}}\n")
	for i := 1; i <= 7; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", ")
		fmt.Fprintf(&bomb, "  - &a%d {id: s%d, parallel: {branches: [[%s]]}}\n", i, i, refs)
	}
	tests := []struct {
		name, src, want string
	}{
		{"list in itself", "name: x\nsteps: &s\n  - id: a\n    parallel: {branches: [*s]}\n",
			"x.yaml:4:27: steps[0].parallel.branches[0]: an alias here refers to a value that contains it"},
		{"step in itself", "name: x\nsteps:\n  - &st\n    id: a\n    on_failure: {steps: [*st]}\n    notify: {channel: c, text: t}\n",
			"x.yaml:5:26: steps[0].on_failure.steps[0]: an alias here refers to a value that contains it"},
		{"merge of itself", "name: x\nsteps:\n  - &m\n    <<: *m\n    id: a\n    notify: {channel: c, text: t}\n",
			"x.yaml:4:9: steps[0]: an alias here refers to a value that contains it"},
		{"billion laughs", bomb.String(), "the file expands to more than 100000 values"},
	}
	for _, tt := range tests {
		_, err := Parse("x.yaml", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error\n%v\nwant it to contain %q", tt.name, err, tt.want)
		}
	}
}
