package activities

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"

	"github.com/dre-dev/dre/tests/peers"
)

// blocksOf decodes the recorded blocks of each call, keyed by method.
func blocksOf(t *testing.T, calls []peers.SlackCall) map[string][]slack.Blocks {
	t.Helper()
	out := map[string][]slack.Blocks{}
	for _, c := range calls {
		var blocks slack.Blocks
		if err := json.Unmarshal([]byte(c.Blocks), &blocks); err != nil {
			t.Fatalf("%s sent blocks Slack cannot read: %v", c.Method, err)
		}
		out[c.Method] = append(out[c.Method], blocks)
	}
	return out
}

// buttons returns the action ID and value of every button in blocks.
func buttons(blocks slack.Blocks) map[string]string {
	out := map[string]string{}
	for _, b := range blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					out[btn.ActionID] = btn.Value
				}
			}
		}
	}
	return out
}

func TestTriagePostIncidentButtonsCarryTheWorkflowID(t *testing.T) {
	slackPeer := peers.StartSlack(t)
	n := &Notify{Slack: slackPeer.Client()}
	m := IncidentMessage{Channel: "C1", Text: "sev2 incident on orders", Status: "open", WorkflowID: "triage/orders", HasRunbook: true}
	posted, err := n.PostIncident(context.Background(), m)
	if err != nil || posted.TS == "" {
		t.Fatalf("PostIncident = %+v, %v", posted, err)
	}
	m.TS, m.Status, m.Resolved = posted.TS, "resolved", true
	if _, err := n.PostIncident(context.Background(), m); err != nil {
		t.Fatalf("PostIncident update: %v", err)
	}
	got := blocksOf(t, slackPeer.Calls())
	if len(got["postMessage"]) != 1 || len(got["update"]) != 1 {
		t.Fatalf("Slack saw %d posts and %d updates, want 1 and 1", len(got["postMessage"]), len(got["update"]))
	}
	want := map[string]string{TriageButtonAck: "triage/orders", TriageButtonResolve: "triage/orders",
		TriageButtonRunRunbook: "triage/orders", TriageButtonEscalate: "triage/orders"}
	if b := buttons(got["postMessage"][0]); len(b) != len(want) || b[TriageButtonAck] != "triage/orders" || b[TriageButtonRunRunbook] == "" {
		t.Errorf("opening buttons = %v, want %v", b, want)
	}
	if b := buttons(got["update"][0]); len(b) != 0 {
		t.Errorf("resolved message still has buttons %v", b)
	}
	if b := buttons(got["postMessage"][0]); b[TriageButtonBackfill] != "" {
		t.Errorf("backfill button offered without partitions to backfill: %v", b)
	}
}

func TestTriageIncidentOffersBackfillWhenFindingsNamePartitions(t *testing.T) {
	slackPeer := peers.StartSlack(t)
	n := &Notify{Slack: slackPeer.Client()}
	m := IncidentMessage{Channel: "C1", Text: "sev3 incident on orders", Status: "open", WorkflowID: "triage/orders", CanBackfill: true}
	if _, err := n.PostIncident(context.Background(), m); err != nil {
		t.Fatalf("PostIncident: %v", err)
	}
	got := blocksOf(t, slackPeer.Calls())
	if b := buttons(got["postMessage"][0]); b[TriageButtonBackfill] != "triage/orders" {
		t.Errorf("buttons = %v, want %s carrying the workflow ID", b, TriageButtonBackfill)
	}
}
