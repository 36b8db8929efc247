package runbooks

import "testing"

func TestWordsReadsEveryTextOfEveryStep(t *testing.T) {
	rb, err := Parse("words.yaml", []byte(`name: words
inputs:
  - {name: target, type: string, default: from_default}
steps:
  - id: count
    sql:
      warehouse: local
      statement: |
        SELECT count(*)
        FROM {{ table "in_template" }}
        JOIN line_start ON true
      params: [in_param]
    outputs: {n: steps.count.row.in_output}
    on_failure:
      steps:
        - {id: rescue, notify: {channel: "#x", text: "see in_handler<now>"}}
  - id: both
    parallel:
      branches:
        - - {id: deep, check: {dataset: in_branch, check: freshness}}
  - id: call
    runbook: {name: other, inputs: {dataset: "'in_call_input'"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	words := Words(rb)
	for _, w := range []string{"from_default", "in_template", "line_start", "in_param", "in_output",
		"in_handler", "now", "in_branch", "freshness", "other", "in_call_input", "local"} {
		if !words[w] {
			t.Errorf("Words misses %q", w)
		}
	}
	for _, w := range []string{"in", "table \"in_template\"", "words", "#x", "'in_call_input'"} {
		if words[w] {
			t.Errorf("Words has %q, which is not a whole word of a step", w)
		}
	}
}
