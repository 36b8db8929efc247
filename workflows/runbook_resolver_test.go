package workflows

import (
	"testing"

	"github.com/dre-dev/dre/activities"
)

// quotingRunbook selects a column named by an input from the dataset's
// table, with a value bound as a parameter.
const quotingRunbook = `
name: quoting
description: names quoted for the warehouse, values bound
inputs:
  - {name: dataset, type: dataset, required: true}
  - {name: column, type: string, required: true}
  - {name: customer, type: string, required: true}
steps:
  - id: q
    sql:
      dataset: "{{ .inputs.dataset }}"
      statement: SELECT {{ ident .inputs.column }} FROM {{ table .inputs.dataset }} WHERE customer = $1
      params: [inputs.customer]
`

func TestRunbookQuotesNamesForTheStepsWarehouse(t *testing.T) {
	evil := "x'; DROP TABLE public.orders;--"
	tests := []struct {
		kinds map[string]string
		want  string
	}{
		{nil, `SELECT "email" FROM "public"."orders" WHERE customer = $1`},
		{map[string]string{"local": "postgres"}, `SELECT "email" FROM "public"."orders" WHERE customer = $1`},
		{map[string]string{"local": BigQueryKind}, "SELECT `email` FROM `public`.`orders` WHERE customer = $1"},
	}
	for _, tt := range tests {
		env := newRunbookEnv()
		var sqls []activities.RunbookSQLInput
		fakeSQL(env, nil, &sqls)
		in := runbookInput(t, quotingRunbook, map[string]string{"dataset": "orders", "column": "email", "customer": evil})
		in.WarehouseKinds = tt.kinds
		env.ExecuteWorkflow(Runbook, in)
		if _, err := runbookStatus(t, env); err != nil {
			t.Fatalf("kinds %v: %v", tt.kinds, err)
		}
		if len(sqls) != 1 || sqls[0].Statement != tt.want || len(sqls[0].Params) != 1 || sqls[0].Params[0] != evil {
			t.Errorf("kinds %v: ran %+v, want %q with the customer bound as $1", tt.kinds, sqls, tt.want)
		}
	}
}

func TestRunbookIdentRefusesANameThatWouldCloseItsQuotes(t *testing.T) {
	env := newRunbookEnv()
	var sqls []activities.RunbookSQLInput
	fakeSQL(env, nil, &sqls)
	in := runbookInput(t, quotingRunbook, map[string]string{"dataset": "orders", "column": "a` FROM x; --", "customer": "c"})
	in.WarehouseKinds = map[string]string{"local": BigQueryKind}
	env.ExecuteWorkflow(Runbook, in)
	if _, err := runbookStatus(t, env); err == nil || len(sqls) != 0 {
		t.Fatalf("a column name with a backtick ran %+v (error %v); want the step refused before any SQL", sqls, err)
	}
}

func TestPrepareRunbookCarriesWarehouseKinds(t *testing.T) {
	set := prepareSet(t)
	set.WarehouseKinds = map[string]string{"local": "postgres", "lake": BigQueryKind}
	in, err := PrepareRunbook(set, RunbookRequest{Runbook: "fix", Dataset: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	if in.WarehouseKinds["lake"] != BigQueryKind || in.WarehouseKinds["local"] != "postgres" {
		t.Errorf("warehouse kinds %v, want the set's", in.WarehouseKinds)
	}
}
