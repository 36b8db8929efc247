package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// governedDataset is legacy_sessions with PII, a brownout on day 10, and
// bi's column grant declared standing; analyst's grant is declared nowhere.
func governedDataset() catalog.Dataset {
	ds := deprecateDataset()
	ds.PII = catalog.PII{Columns: map[string]catalog.PIIKind{"email": catalog.PIIEmail}, Approvers: []string{"U0OWNER"}}
	ds.Access = catalog.Access{Standing: []catalog.StandingGrant{{Principal: "bi", Column: "session_id"}}}
	ds.Lifecycle.Brownouts = []catalog.Brownout{{Start: deprecateStart.Add(10 * oneDay), Duration: catalog.Duration{Duration: 2 * time.Hour}}}
	return ds
}

func grantNames(grants []warehouse.Grant) []string {
	var out []string
	for _, g := range grants {
		out = append(out, g.Principal+":"+g.Privilege+onColumn(g.Column))
	}
	slices.Sort(out)
	return out
}

// A brownout's end gives back only the declared standing grant and the
// owner's; analyst's read, allowed by nothing any more, stays revoked and
// is reported with the reason. A cancel then restores no more than that,
// plus the grant of an access request that runs at that moment.
func TestDeprecateBrownoutEndAndCancelGiveBackOnlyAllowedGrants(t *testing.T) {
	h := newDeprecateHarness(t)
	var afterBrownout []string
	h.at(11*oneDay, func() {
		h.mu.Lock()
		afterBrownout = grantNames(h.table.meta.Grants)
		h.active = []activities.ActiveAccess{{WorkflowID: "access-request/legacy_sessions/dana/1", Principal: "dana"}}
		h.mu.Unlock()
	})
	h.at(12*oneDay, func() { h.update("cancel", DeprecateCancelUpdate, DeprecateAction{By: "cli:alice"}) })
	s := h.run(governedDataset())

	if want := []string{"bi:SELECT (session_id)", "owner:SELECT", "owner:TRUNCATE"}; !slices.Equal(afterBrownout, want) {
		t.Errorf("grants after the brownout %v; want %v: analyst's read not given back", afterBrownout, want)
	}
	if want := []string{"bi:SELECT (session_id)", "dana:SELECT", "owner:SELECT", "owner:TRUNCATE"}; !slices.Equal(grantNames(h.restored.Meta.Grants), want) {
		t.Errorf("restored grants %v; want %v: analyst's withheld, dana's active request kept", grantNames(h.restored.Meta.Grants), want)
	}
	if len(s.Withheld) != 2 || s.Withheld[0].Grant.Principal != "analyst" || !strings.Contains(s.Withheld[0].Why, "access.standing") {
		t.Errorf("withheld %+v; want analyst's read withheld at the brownout's end and at the restore, saying why", s.Withheld)
	}
	text := strings.Join(timeline(s), "\n")
	if !strings.Contains(text, "brownout over: not given back: analyst SELECT") || !strings.Contains(text, "restore: not given back: analyst SELECT") {
		t.Errorf("timeline lacks the withheld grants:\n%s", text)
	}
}

// A dataset without PII or declared grants is not dre's to govern: its
// brownout gives every read back, as before.
func TestDeprecateBrownoutOfAnUngovernedDatasetGivesAllBack(t *testing.T) {
	h := newDeprecateHarness(t)
	ds := governedDataset()
	ds.PII, ds.Access = catalog.PII{}, catalog.Access{}
	var after int
	h.at(11*oneDay, func() { after = len(h.table.meta.Grants) })
	h.at(12*oneDay, func() { h.update("cancel", DeprecateCancelUpdate, DeprecateAction{By: "cli:alice"}) })
	s := h.run(ds)
	if after != 4 || len(s.Withheld) != 0 {
		t.Errorf("grants after the brownout %d, withheld %+v; want all 4 back and none withheld", after, s.Withheld)
	}
}
