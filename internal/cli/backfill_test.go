package cli

import (
	"errors"
	"strings"
	"testing"
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
