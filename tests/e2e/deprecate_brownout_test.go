package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// A read grant revoked during the grace period (as an expiring access
// request or a review would) is not given back by the brownout's end nor
// by the cancel that follows; the grant dre.yaml declares under
// access.standing is, and the withheld one is reported with the reason.
func TestDeprecateBrownoutEndDoesNotRestoreAGrantRevokedDuringTheGrace(t *testing.T) {
	e := deprecateSetup(t)
	startDeprecateWorker(t, e)
	createDeprecateTable(t, "dep_brownout")
	ds, err := deprecateCat.Lookup("dep_brownout")
	if err != nil {
		t.Fatal(err)
	}
	life := *ds.Lifecycle
	life.DeprecateOn = catalog.DateOf(time.Now().AddDate(0, 0, -1))
	life.Brownouts = []catalog.Brownout{{Start: time.Now().Add(4 * time.Second), Duration: catalog.Duration{Duration: 2 * time.Second}}}
	ds.Lifecycle = &life
	if _, err := workflows.StartDeprecate(t.Context(), env.Client, e["DRE_TASK_QUEUE"], workflows.DeprecateInput{Dataset: ds, Requester: "cli:e2e"}); err != nil {
		t.Fatal(err)
	}
	awaitDeprecation(t, "dep_brownout", "the announce", func(s workflows.DeprecateStatus) bool { return s.Original != nil })
	conn := deprecateConn(t)
	if _, err := conn.Exec(t.Context(), "REVOKE SELECT ON public.dep_brownout FROM dep_analyst"); err != nil {
		t.Fatal(err)
	}
	s := awaitDeprecation(t, "dep_brownout", "the brownout's end", func(s workflows.DeprecateStatus) bool {
		return strings.Contains(timelineText(s), "brownout over: reads given back")
	})
	can := func(sql string) bool {
		var ok bool
		if err := conn.QueryRow(t.Context(), sql).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	analyst := `SELECT has_table_privilege('dep_analyst', 'public.dep_brownout', 'SELECT')`
	bi := `SELECT has_column_privilege('dep_bi', 'public.dep_brownout', 'session_id', 'SELECT')`
	if can(analyst) || !can(bi) {
		t.Fatalf("after the brownout: dep_analyst reads %v, dep_bi reads session_id %v; want only dep_bi's standing grant back\n%s",
			can(analyst), can(bi), timelineText(s))
	}
	if len(s.Withheld) != 1 || s.Withheld[0].Grant.Principal != "dep_analyst" || !strings.Contains(s.Withheld[0].Why, "access.standing") {
		t.Errorf("withheld %+v; want dep_analyst's read, saying why", s.Withheld)
	}

	if res := clitest.Run(t, e, "deprecate", "cancel", "dep_brownout", "--reason", "still needed"); res.Code != 0 {
		t.Fatalf("cancel: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	s = awaitDeprecation(t, "dep_brownout", "the restore", func(s workflows.DeprecateStatus) bool { return s.Status == workflows.DeprecateRestored })
	if can(analyst) || !can(bi) {
		t.Fatalf("after the cancel: dep_analyst reads %v, dep_bi reads session_id %v; want only dep_bi's standing grant\n%s",
			can(analyst), can(bi), timelineText(s))
	}
	if !strings.Contains(timelineText(s), "restore: not given back: dep_analyst SELECT") {
		t.Errorf("timeline lacks the withheld grant at the restore:\n%s", timelineText(s))
	}
}
