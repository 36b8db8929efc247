package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

func TestBackfillSQLFlagsWarnOnAtFromAndRefuseBadTemplates(t *testing.T) {
	var stderr strings.Builder
	f := backfillStartFlags{sel: "SELECT * FROM s WHERE d >= {{ .From }} AND d < {{ .To }}"}
	if err := f.checkSQLFlags(&stderr); err != nil || stderr.Len() != 0 {
		t.Fatalf("{{ .From }} select: err %v, stderr %q; want neither", err, stderr.String())
	}

	f = backfillStartFlags{sel: "SELECT * FROM s WHERE d >= @from AND d < @to", validateSQL: "SELECT 1 WHERE @to > now()"}
	if err := f.checkSQLFlags(&stderr); err != nil {
		t.Fatalf("@from select: %v; want it accepted", err)
	}
	for _, want := range []string{"warning: --select: @from and @to in the SQL are deprecated: write {{ .From }} and {{ .To }}", "warning: --validate-sql:"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q; want %q", stderr.String(), want)
		}
	}

	f = backfillStartFlags{sel: "SELECT {{ .Table }}"}
	var usage *usageError
	if err := f.checkSQLFlags(&stderr); !errors.As(err, &usage) || !strings.Contains(err.Error(), "--select: template may only use") {
		t.Errorf("bad template: err %v; want a usage error naming --select and what it may use", err)
	}
}

func TestBackfillSelectFlags(t *testing.T) {
	var in workflows.BackfillInput
	s := selectFlags{only: "missing", order: "newest", partitions: "2026-11-03, 2026-11-07", publish: "wap"}
	if err := s.apply(&in); err != nil || len(in.Partitions) != 2 || in.Partitions[1].Day() != 7 || in.Only != "missing" || in.Order != "newest" || in.Publish != "wap" {
		t.Errorf("apply: %+v, %v; want both partitions, missing, newest, wap", in, err)
	}
	var usage *usageError
	for flags, want := range map[selectFlags]string{
		{partitions: "2026-11-03,03/11/2026"}: "--partitions: cannot read \"03/11/2026\"",
		{publish: "later"}:                    "--publish \"later\": use wap or direct",
	} {
		if err := flags.apply(&in); !errors.As(err, &usage) || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v; want a usage error saying %q", flags, err, want)
		}
	}
}

// A --select of a dataset without a select role says up front that it will
// wait for an approval; with a role, a dry run or no --select it says nothing.
func TestBackfillSaysWhenSelectWillWait(t *testing.T) {
	in := workflows.BackfillInput{Select: "SELECT 1"}
	in.Dataset.Name = "orders"
	var out strings.Builder
	sayIfSelectHeld(in, &out)
	if !strings.Contains(out.String(), "orders has no backfill.select_role") || !strings.Contains(out.String(), "dre backfill approve orders") {
		t.Errorf("without a role: %q; want the hold and how to approve", out.String())
	}
	quiet := []workflows.BackfillInput{{Dataset: in.Dataset}, {Dataset: in.Dataset, Select: "SELECT 1", DryRun: true}, in}
	quiet[2].Dataset.Backfill = &catalog.BackfillSettings{SelectRole: "orders_reader"}
	for i, q := range quiet {
		out.Reset()
		if sayIfSelectHeld(q, &out); out.Len() != 0 {
			t.Errorf("case %d: %q; want nothing said", i, out.String())
		}
	}
}
