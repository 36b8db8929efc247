package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// Each tag rewrites the owner's notice in place, exactly once: the tagged
// column's button gives way to who tagged it as what and when, and the
// last tag leaves no button.
func TestPIIScanTagRewritesTheNotice(t *testing.T) {
	h := newPIIHarness(t)
	h.extra = []activities.PIIColumn{{Column: "ip", Found: catalog.PIIIP, Ratio: 1, Sampled: 50}}
	contact := h.tag(time.Hour, PIITagRequest{Dataset: "signups", Column: "contact", Approver: "U0OWNER"})
	ip := h.tag(2*time.Hour, PIITagRequest{Dataset: "signups", Column: "ip", Approver: "U0OWNER"})
	h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{piiSignups}})
	if contact.err != nil || ip.err != nil {
		t.Fatalf("tags failed: %v, %v", contact.err, ip.err)
	}
	notice := h.posts[0]
	var updates []activities.SlackMessage
	for _, p := range h.posts {
		if p.UpdateTS != "" {
			updates = append(updates, p)
		}
	}
	if len(updates) != 2 {
		t.Fatalf("%d updates; want one per tag", len(updates))
	}
	for _, u := range updates {
		if u.Channel != "#growth" || u.UpdateTS != "1700000000.000001" || !strings.HasPrefix(u.Text, notice.Text) {
			t.Errorf("update to %s ts %s; want the notice (#growth, 1700000000.000001) rewritten", u.Channel, u.UpdateTS)
		}
	}
	first, last := updates[0], updates[1]
	if !strings.Contains(first.Text, "`contact`: :label: Tagged email by <@U0OWNER> at") ||
		len(first.Actions) != 1 || len(first.Actions[0].Buttons) != 1 || first.Actions[0].Buttons[0].Label != "Tag ip as PII" {
		t.Errorf("after the first tag %q %+v; want contact shown tagged and only ip's button left", first.Text, first.Actions)
	}
	if !strings.Contains(last.Text, "`ip`: :label: Tagged ip by <@U0OWNER>") || len(last.Actions) != 0 {
		t.Errorf("after the last tag %q %+v; want both shown tagged and no buttons", last.Text, last.Actions)
	}
}
