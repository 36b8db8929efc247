package workflows

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
)

// warnings is a workflow logger that keeps the warnings.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Debug(string, ...any) {}
func (w *warnings) Info(string, ...any)  {}
func (w *warnings) Error(string, ...any) {}
func (w *warnings) Warn(msg string, kv ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, fmt.Sprint(append([]any{msg}, kv...)...))
}

// runBackfillWithSQL runs a one-day backfill with the given --select and
// validation SQL, returning the SQL the rewrite got and the warnings.
func runBackfillWithSQL(t *testing.T, sel, validate string) (activities.RewritePartitionInput, []string) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	logs := &warnings{}
	s.SetLogger(logs)
	env := newPolicyEnv(&s)
	var seen []activities.RewritePartitionInput
	rewriteMock(env, &seen)
	var a *activities.Backfills
	env.OnActivity(a.CheckSelect, mock.Anything, mock.Anything).Return(activities.CheckSelectResult{Role: "orders_reader"}, nil)
	in := backfillInput(1)
	in.Select = sel
	in.Validation = BackfillValidation{Kind: ValidateSQL, SQL: validate}
	env.ExecuteWorkflow(Backfill, in)
	if err := env.GetWorkflowError(); err != nil || len(seen) != 1 {
		t.Fatalf("backfill: %v, %d partitions rewritten; want one", err, len(seen))
	}
	return seen[0], logs.msgs
}

func TestBackfillSelectReadsTheBoundsLikeDreYamlSources(t *testing.T) {
	got, warned := runBackfillWithSQL(t,
		"SELECT * FROM staging.orders WHERE d >= {{ .From }} AND d < {{ .To }}",
		"SELECT id FROM public.orders WHERE d >= {{ .From }} AND d < {{ .To }} AND total < 0")
	if got.Select != "SELECT * FROM staging.orders WHERE d >= @from AND d < @to" {
		t.Errorf("rewrite select = %q; want the bounds rendered as @from and @to", got.Select)
	}
	if got.SelectRole != "orders_reader" {
		t.Errorf("rewrite select role = %q; want the one CheckSelect named", got.SelectRole)
	}
	if got.Validation.SQL != "SELECT id FROM public.orders WHERE d >= @from AND d < @to AND total < 0" {
		t.Errorf("validation sql = %q; want the bounds rendered as @from and @to", got.Validation.SQL)
	}
	if len(warned) != 0 {
		t.Errorf("warnings %q; want none for {{ .From }} and {{ .To }}", warned)
	}
}

func TestBackfillSelectWithAtFromStillWorksAndWarns(t *testing.T) {
	sel := "SELECT * FROM staging.orders WHERE d >= @from AND d < @to"
	got, warned := runBackfillWithSQL(t, sel, "SELECT id FROM public.orders WHERE d >= @from AND total < 0")
	if got.Select != sel {
		t.Errorf("rewrite select = %q; want %q unchanged", got.Select, sel)
	}
	joined := strings.Join(warned, "\n")
	for _, want := range []string{"backfill select: @from and @to in the SQL are deprecated: write {{ .From }} and {{ .To }}", "backfill validation sql: @from"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q; want one saying %q", warned, want)
		}
	}
}
