package runbooks

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr/builtin"
)

// exprRunbook is a runbook whose last step's when is the expression under
// test; the steps before give it something to refer to.
func exprRunbook(when string) *Runbook {
	return &Runbook{
		Name: "expr",
		Inputs: []Input{
			{Name: "dataset", Type: TypeDataset}, {Name: "max_wait", Type: TypeDuration},
			{Name: "limit", Type: TypeInt}, {Name: "ratio", Type: TypeFloat},
			{Name: "on", Type: TypeBool}, {Name: "since", Type: TypeDate},
		},
		Steps: []Step{
			{ID: "fresh", Check: &CheckStep{Dataset: "orders", Check: "freshness"},
				Outputs: map[string]string{"late": "steps.fresh.lag > inputs.max_wait", "hours": "steps.fresh.lag.Hours()"}},
			{ID: "ask", Approve: &ApproveStep{Approvers: []string{"owner"}, Timeout: "1h"}},
			{ID: "tell-all", Notify: &NotifyStep{Channel: "#x", Text: "hi"}},
			{ID: "probe", When: when, Notify: &NotifyStep{Channel: "#x", Text: "hi"}},
			{ID: "after", Notify: &NotifyStep{Channel: "#x", Text: "hi"}},
		},
	}
}

func TestWhenExpressions(t *testing.T) {
	tests := []struct {
		when string
		want string // a part of the one problem expected; "" for none
	}{
		{`steps.fresh.status != "ok"`, ""},
		{`steps.fresh.late && inputs.on`, ""},
		{`steps.fresh.hours > 2.5 || steps.fresh.rows < inputs.limit`, ""},
		{`steps.fresh.null_rate > inputs.ratio`, ""},
		{`steps.fresh.lag > duration("26h")`, ""},
		{`steps.fresh.latest < inputs.since`, ""},
		{`steps.fresh.row.anything > 0`, ""}, // rows are checked at run time
		{`steps.ask.approved and not steps.ask.timed_out`, ""},
		{`all(split(inputs.dataset, "_"), {len(#) > 0})`, ""},
		{`inputs.dataset in ["orders", "events"]`, ""},
		{`steps["tell-all"].status == "ok"`, ""},
		{`steps.tell-all.status == "ok"`, `write steps["tell-all"]`},
		{`steps.fresh.lag > 2`, "mismatched types time.Duration and int"},
		{`steps.fresh.status`, "want a bool, got a string"},
		{`inputs.limit + 1`, "want a bool, got an int"},
		{`steps.fresh.lagg > 0`, `step "fresh" has no result "lagg"`},
		{`steps.after.status == "ok"`, `step "after" does not run before this point`},
		{`steps.probe.status == "ok"`, `step "probe" does not run before this point`},
		{`steps.frsh.status == "ok"`, `unknown step "frsh"; did you mean "fresh"?`},
		{`inputs.limt > 1`, `unknown input "limt"; did you mean "limit"?`},
		{`now().Year() > 2000`, "now() is not allowed"},
		{`len(keys(steps.fresh.row)) > 0`, "keys() is not allowed"},
		{`repeat("a", 10) == ""`, "repeat() is not allowed"},
		{`env("HOME") == ""`, "unknown name env"},
		{`steps.fresh.status ==`, "unexpected token EOF"},
	}
	for _, tt := range tests {
		ps := Lint([]*Runbook{exprRunbook(tt.when)}, nil)
		switch {
		case tt.want == "" && len(ps) > 0:
			t.Errorf("when: %s\n  unexpected problems: %v", tt.when, ps)
		case tt.want != "" && (len(ps) != 1 || !strings.Contains(ps[0].Message, tt.want)):
			t.Errorf("when: %s\n  problems %v, want one containing %q", tt.when, ps, tt.want)
		case tt.want != "" && ps[0].Path != "steps[3].when":
			t.Errorf("when: %s\n  problem at %q, want steps[3].when", tt.when, ps[0].Path)
		}
	}
}

func TestNeverAndAlwaysTrue(t *testing.T) {
	for when, never := range map[string]bool{"false": true, "1 > 2": true, `"a" == "b"`: true,
		"true": false, "2 > 1": false, "inputs.on && false": false} {
		ps := Lint([]*Runbook{exprRunbook(when)}, nil)
		if got := len(ps) == 1 && strings.Contains(ps[0].Message, "never runs"); got != never {
			t.Errorf("when: %s: problems %v; want a never-runs problem: %v", when, ps, never)
		}
	}
}

func TestFunctionsExistAndBannedOnesFail(t *testing.T) {
	for _, name := range append(Functions(), predicates...) {
		if _, ok := builtin.Index[name]; !ok {
			t.Errorf("Functions() lists %q, which expr does not have", name)
		}
	}
	for _, src := range []string{`now()`, `date("2026-01-01")`, `timezone("UTC")`, `keys({"a": 1})`,
		`values({"a": 1})`, `toPairs({"a": 1})`, `repeat("a", 3)`, `fromJSON("1")`} {
		if _, err := Eval(src, Scope{}); err == nil {
			t.Errorf("Eval(%s) succeeded; it must be refused", src)
		}
	}
}

func TestEval(t *testing.T) {
	s := Scope{
		Inputs: map[string]any{"dataset": "orders", "max_wait": 2 * time.Hour, "limit": 10},
		Steps: map[string]map[string]any{
			"fresh": {"status": "failed", "lag": 3 * time.Hour, "rows": 4, "row": map[string]any{"n": 7}},
		},
		Result: map[string]any{"row": map[string]any{"n": 0}},
	}
	tests := []struct {
		expression string
		want       any
	}{
		{`steps.fresh.lag > inputs.max_wait`, true},
		{`steps.fresh.status == "ok"`, false},
		{`steps.fresh.row.n > steps.fresh.rows`, true},
		{`upper(inputs.dataset) + "!"`, "ORDERS!"},
		{`inputs.limit * 2`, 20},
		{`result.row.n == 0`, true},
		{`steps.fresh.lag.Hours()`, 3.0},
		{`steps.nope?.status ?? "skipped"`, "skipped"},
	}
	for _, tt := range tests {
		got, err := Eval(tt.expression, s)
		if err != nil || got != tt.want {
			t.Errorf("Eval(%s) = %v, %v; want %v", tt.expression, got, err, tt.want)
		}
	}
}

// TestReadmeListsFunctions keeps the language reference in step with
// the functions expressions may call.
func TestReadmeListsFunctions(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ")
	for _, list := range [][]string{Functions(), predicates} {
		if want := strings.Join(list, " "); !strings.Contains(text, want) {
			t.Errorf("README.md does not list the functions as %q", want)
		}
	}
}
