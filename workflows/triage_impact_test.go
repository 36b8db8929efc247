package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// An incident on a dataset with downstream datasets lists them with their
// owners in the thread and the timeline, and tells each other owner's
// channel once.
func TestTriageListsDownstreamImpactAndTellsTheirOwnersOnce(t *testing.T) {
	h := newTriageHarness(t)
	h.downstream = []catalog.Dataset{
		{Name: "board", Owner: catalog.Owner{Team: "finance", SlackChannel: "#finance"}},
		{Name: "revenue", Owner: catalog.Owner{Team: "finance", SlackChannel: "#finance"}},
		{Name: "returns", Owner: catalog.Owner{Team: "commerce-data", SlackChannel: "#commerce-data"}},
	}
	h.at(time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(ordersIncident(3))

	impact := h.postsContaining("*Downstream impact*: 3 datasets are computed from orders: board (finance), revenue (finance), returns (commerce-data)")
	if len(impact) != 1 || impact[0].ThreadTS == "" {
		t.Errorf("impact posts = %+v, want one in the incident's thread", impact)
	}
	var heads []string
	for _, p := range h.postsContaining("Heads-up") {
		heads = append(heads, p.Channel+": "+p.Text)
	}
	if len(heads) != 1 || !strings.HasPrefix(heads[0], "#finance: ") || !strings.Contains(heads[0], "upstream of your board, revenue") {
		t.Errorf("heads-ups = %q, want one to #finance naming board and revenue (commerce-data has the thread)", heads)
	}
	if !slices.ContainsFunc(tl.Events, func(e TimelineEvent) bool { return e.Kind == "impact" }) {
		t.Errorf("timeline has no impact event: %+v", tl.Events)
	}
}

// Without downstream datasets nothing more is posted.
func TestTriageWithoutDownstreamPostsNoImpact(t *testing.T) {
	h := newTriageHarness(t)
	h.at(time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	h.run(ordersIncident(3))
	if posts := h.postsContaining("Downstream impact"); len(posts) != 0 {
		t.Errorf("impact posted without downstream datasets: %+v", posts)
	}
}

// The postmortem draws the dataset's lineage in a ~~~mermaid fence that
// leaves the Slack copy's ``` block whole; without lineage it has none.
func TestTriagePostmortemDrawsTheLineage(t *testing.T) {
	h := newTriageHarness(t)
	h.pictures = map[string]string{"orders": "flowchart LR\n  n0[\"orders\"]\n  n1[\"revenue\"]\n  n0 --> n1\n"}
	h.at(time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(ordersIncident(3))
	if !strings.Contains(tl.Postmortem, "## Lineage") || !strings.Contains(tl.Postmortem, "~~~mermaid\nflowchart LR\n  n0[\"orders\"]") {
		t.Errorf("postmortem has no lineage picture:\n%s", tl.Postmortem)
	}
	posted := h.postsContaining("# Postmortem")
	if len(posted) != 1 || strings.Count(posted[0].Text, "```") != 2 {
		t.Errorf("postmortem posts = %+v, want one in a single ``` block", posted)
	}

	bare := newTriageHarness(t)
	bare.at(time.Minute, func() { bare.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	if tl := bare.run(ordersIncident(3)); strings.Contains(tl.Postmortem, "## Lineage") {
		t.Errorf("postmortem without lineage draws one:\n%s", tl.Postmortem)
	}
}
