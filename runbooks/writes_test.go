package runbooks

import (
	"strings"
	"testing"
)

func TestWritesSQLLooksEverywhere(t *testing.T) {
	sql := func(stmt string) Step { return Step{SQL: &SQLStep{Statement: stmt}} }
	read := Runbook{Steps: []Step{sql("SELECT count(*) FROM t"), {Notify: &NotifyStep{}}}}
	branch := Runbook{Steps: []Step{{Parallel: &ParallelStep{Branches: [][]Step{{sql("select 1")}, {sql("INSERT INTO t SELECT 1")}}}}}}
	handler := Runbook{Steps: []Step{{OnFailure: OnFailure{Steps: []Step{sql("UPDATE t SET x = 1 WHERE id = 2")}}}}}
	tests := []struct {
		name    string
		rb      Runbook
		callees map[string]Runbook
		want    bool
	}{
		{"only SELECTs", read, nil, false},
		{"a write in a parallel branch", branch, nil, true},
		{"a write in a failure handler", handler, nil, true},
		{"a write in a called runbook", read, map[string]Runbook{"fix": handler}, true},
		{"an empty statement", Runbook{Steps: []Step{sql("  ")}}, nil, true},
	}
	for _, tt := range tests {
		if got := WritesSQL(&tt.rb, tt.callees); got != tt.want {
			t.Errorf("%s: WritesSQL = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTheFreezeStepIDIsReserved(t *testing.T) {
	yaml := "name: r\nsteps:\n  - {id: slo-freeze, notify: {channel: '#x', text: hi}}\n"
	_, err := Parse("r.yaml", []byte(yaml))
	if err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Fatalf("a step named slo-freeze: %v; want it refused as reserved", err)
	}
}
