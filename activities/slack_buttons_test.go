package activities

import (
	"context"
	"testing"

	"github.com/dre-dev/dre/tests/peers"
)

func TestPostSlackLaysOutButtonRows(t *testing.T) {
	peer := peers.StartSlack(t)
	n := &Notify{Slack: peer.Client()}
	value := ButtonValue("access-review/2026Q1", "customers/bob")
	all := ButtonValue("access-review/2026Q1", "all")
	m := SlackMessage{Channel: "U0APPROVER", Text: "Access review 2026Q1", Actions: []SlackActions{
		{Text: "• `customers/bob`", Buttons: []SlackButton{
			{ActionID: ReviewButtonKeep, Label: "Keep", Value: value, Style: "primary"},
			{ActionID: ReviewButtonRevoke, Label: "Revoke", Value: value, Style: "danger"},
		}},
		{Buttons: []SlackButton{
			{ActionID: ReviewButtonKeep, Label: "Keep all", Value: all},
			{ActionID: ReviewButtonRevoke, Label: "Revoke all", Value: all},
		}},
	}}
	if _, err := n.PostSlack(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	calls := peer.Calls()
	if len(calls) != 1 || calls[0].Text != m.Text {
		t.Fatalf("calls %+v; want one post keeping the text as the fallback", calls)
	}
	posted := blocksOf(t, calls)["postMessage"][0]
	got := buttons(posted)
	want := map[string]string{"review_keep/0": value, "review_revoke/1": value, "review_keep/2": all, "review_revoke/3": all}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("button %s = %q, want %q (all: %v)", id, got[id], v, got)
		}
	}
	if len(got) != len(want) || len(posted.BlockSet) != 4 {
		t.Errorf("%d buttons in %d blocks; want 4 buttons under the text, the grant line and two rows", len(got), len(posted.BlockSet))
	}
}

func TestPostSlackWithoutButtonsSendsNoBlocks(t *testing.T) {
	peer := peers.StartSlack(t)
	n := &Notify{Slack: peer.Client()}
	if _, err := n.PostSlack(context.Background(), SlackMessage{Channel: "#x", Text: "plain"}); err != nil {
		t.Fatal(err)
	}
	if c := peer.Calls(); len(c) != 1 || c[0].Blocks != "" {
		t.Errorf("calls %+v; want a plain text post", c)
	}
}
