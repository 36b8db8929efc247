package workflows

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
)

// reviewAsksAndUpdates splits the review's Slack traffic into the asks
// posted to approvers and the updates of each ask, by channel and ts.
func reviewAsksAndUpdates(h *accessHarness) (asks []activities.SlackMessage, askTS []string, updates map[string][]activities.SlackMessage) {
	updates = map[string][]activities.SlackMessage{}
	for i, p := range h.posts {
		switch {
		case p.UpdateTS != "":
			updates[p.Channel+"/"+p.UpdateTS] = append(updates[p.Channel+"/"+p.UpdateTS], p)
		case len(p.Actions) > 0:
			asks = append(asks, p)
			askTS = append(askTS, fmt.Sprintf("%s/1700000000.%06d", p.Channel, i+1)) // as the harness's Slack numbers them
		}
	}
	return asks, askTS, updates
}

func hasButtons(m activities.SlackMessage) bool {
	for _, row := range m.Actions {
		if len(row.Buttons) > 0 {
			return true
		}
	}
	return false
}

// One decision for all: each approver's ask is updated exactly once, in
// place, its buttons replaced by who kept what and when.
func TestAccessReviewDecisionRewritesEachAskOnce(t *testing.T) {
	h := newAccessHarness(t)
	h.update(time.Hour, AccessReviewDecideUpdate, ReviewDecision{By: "UOWNER", Grant: ReviewAll, Decision: ReviewKeep})
	res := h.runReview(reviewInput(customersDataset()))
	if len(h.rejected) != 0 || res.Items[0].DecidedBy != "UOWNER" {
		t.Fatalf("rejections %v, items %+v; want every grant kept by UOWNER", h.rejected, res.Items)
	}
	asks, keys, updates := reviewAsksAndUpdates(h)
	if len(asks) != 2 {
		t.Fatalf("%d asks; want one per approver (UOWNER, UALICE)", len(asks))
	}
	total := 0
	for _, us := range updates {
		total += len(us)
	}
	if total != len(asks) {
		t.Errorf("%d updates; want exactly one per ask", total)
	}
	for i, ask := range asks {
		us := updates[keys[i]]
		if len(us) != 1 {
			t.Fatalf("ask to %s (%s) updated %d times; want once", ask.Channel, keys[i], len(us))
		}
		u := us[0]
		if hasButtons(u) || u.Text != ask.Text {
			t.Errorf("update %+v; want the ask's text with no buttons left", u)
		}
		for _, row := range u.Actions {
			if !strings.Contains(row.Text, "Kept by <@UOWNER> at") || !strings.Contains(row.Text, "2026-11-23 10:00 UTC") {
				t.Errorf("row %q; want who kept it and when", row.Text)
			}
		}
	}
}

// A grant decided by hand loses its buttons while the others keep
// theirs; at the deadline the defaults are shown too, so no ask is left
// with buttons that no longer decide anything.
func TestAccessReviewDefaultsRewriteTheRemainingButtons(t *testing.T) {
	h := newAccessHarness(t)
	h.update(time.Hour, AccessReviewDecideUpdate, ReviewDecision{By: "UOWNER", Grant: "customers/bob", Decision: ReviewRevoke})
	h.runReview(reviewInput(customersDataset()))
	asks, keys, updates := reviewAsksAndUpdates(h)
	first := updates[keys[0]][0]
	if !strings.Contains(first.Actions[0].Text, "Revoked by <@UOWNER>") || len(first.Actions[0].Buttons) != 0 ||
		len(first.Actions[1].Buttons) != 2 || len(first.Actions[len(first.Actions)-1].Buttons) != 2 {
		t.Errorf("first update %+v; want bob's row decided, carol's and the all buttons left", first.Actions)
	}
	for i, ask := range asks {
		us := updates[keys[i]]
		if len(us) == 0 {
			t.Fatalf("ask to %s never updated", ask.Channel)
		}
		last := us[len(us)-1]
		if hasButtons(last) || !strings.Contains(last.Actions[len(last.Actions)-1].Text, "Revoked by default") {
			t.Errorf("last update of the ask to %s: %+v; want no buttons and the defaults shown", ask.Channel, last.Actions)
		}
	}
}
