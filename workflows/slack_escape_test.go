package workflows

import (
	"strings"
	"testing"
	"time"
)

// hostile is text a reporter or requester could type to ping everyone or
// pass off a link as dre's.
const hostile = "<!channel> see <http://evil.example|the runbook>"

// escapedHostile is how Slack must receive it: shown, not acted on.
const escapedHostile = "&lt;!channel&gt; see &lt;http://evil.example|the runbook&gt;"

// assertShownNotActedOn checks one Slack text carries the user's text
// escaped and none of it raw.
func assertShownNotActedOn(t *testing.T, where, text string) {
	t.Helper()
	if !strings.Contains(text, escapedHostile) || strings.Contains(text, "<!channel>") || strings.Contains(text, "<http://evil") {
		t.Errorf("%s: Slack text %q; want the user's text escaped (%s)", where, text, escapedHostile)
	}
}

func TestTriageUserTextIsEscapedInSlack(t *testing.T) {
	h := newTriageHarness(t)
	h.at(time.Minute, func() {
		h.env.SignalWorkflow(TriageReportSignal, TriageReport{Reporter: "cli:" + hostile, Severity: 3, Description: hostile, ReportedAt: triageStart.Add(time.Minute)})
	})
	h.at(5*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE", Note: hostile}) })
	in := ordersIncident(2)
	in.Report.Description = hostile
	tl := h.run(in)

	assertShownNotActedOn(t, "incident message", h.incidents[0].Text)
	if !strings.Contains(h.incidents[0].Text, "reported by <@U0ALICE>") {
		t.Errorf("incident message %q lost dre's own mention of the reporter", h.incidents[0].Text)
	}
	also := h.postsContaining("also reported")
	if len(also) != 1 {
		t.Fatalf("%d 'also reported' posts, want 1", len(also))
	}
	assertShownNotActedOn(t, "second report", also[0].Text)
	if strings.Count(also[0].Text, escapedHostile) != 2 {
		t.Errorf("second report %q: want both the reporter's name and the description escaped", also[0].Text)
	}
	postmortem := h.postsContaining("# Postmortem")
	if len(postmortem) != 1 {
		t.Fatalf("%d postmortem posts, want 1", len(postmortem))
	}
	assertShownNotActedOn(t, "postmortem post", postmortem[0].Text)
	if !strings.Contains(tl.Postmortem, hostile) {
		t.Errorf("the workflow's Markdown postmortem should keep the text as typed; it is escaped for Slack only")
	}
}

func TestAccessRequestUserTextIsEscapedInSlack(t *testing.T) {
	h := newAccessHarness(t)
	h.update(time.Minute, AccessDenyUpdate, AccessDecision{By: "UOWNER", Note: hostile})
	in := aliceRequest()
	in.Reason = hostile
	st := h.runRequest(in)
	if st.Status != AccessDenied || len(h.posts) != 2 {
		t.Fatalf("state %+v with %d posts; want the request posted and then denied", st, len(h.posts))
	}
	for _, p := range h.posts {
		assertShownNotActedOn(t, "access post", p.Text)
	}
	if h.audited[0].Reason != hostile {
		t.Errorf("audit reason %q; want the reason as typed, escaping is for Slack only", h.audited[0].Reason)
	}
}

func TestSlackMentionEscapesOtherActors(t *testing.T) {
	for who, want := range map[string]string{
		"U0ALICE":        "<@U0ALICE>",
		"pagerduty":      "pagerduty",
		"cli:<!channel>": "cli:&lt;!channel&gt;",
		"U<!here>":       "U&lt;!here&gt;",
	} {
		if got := slackMention(who); got != want {
			t.Errorf("slackMention(%q) = %q, want %q", who, got, want)
		}
	}
}
