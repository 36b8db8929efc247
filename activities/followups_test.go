package activities

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/followups"
	"github.com/dre-dev/dre/internal/people"
)

// listed is a FollowupLister over fixed open items.
type listed []followups.Item

func (l listed) List(context.Context, string, bool) ([]followups.Item, error) { return l, nil }

func TestFollowupRemindersGoToEachOwnerChannelWithMentions(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &Followups{
		Store: listed{
			{ID: 1, Dataset: "orders", Text: "alert on late loads", Owner: "alice", CreatedAt: at, Incident: "triage/orders"},
			{ID: 2, Dataset: "clicks", Text: "add a unique key", Owner: "U0BOB", CreatedAt: at},
			{ID: 3, Dataset: "refunds", Text: "document the <backfill>", Owner: "carol", CreatedAt: at},
			{ID: 4, Dataset: "orphan", Text: "x", Owner: "dan", CreatedAt: at},
		},
		Catalog: catalog.New([]catalog.Dataset{
			{Name: "orders", Owner: catalog.Owner{SlackChannel: "#commerce-data"}},
			{Name: "refunds", Owner: catalog.Owner{SlackChannel: "#commerce-data"}},
			{Name: "clicks", Owner: catalog.Owner{SlackChannel: "#web-data"}},
			{Name: "orphan"},
		}),
		People: people.NewDirectory(map[string]people.Person{"alice": {SlackUser: "U0ALICE"}}, nil),
	}
	got, err := f.DueFollowupReminders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Open != 4 || len(got.Reminders) != 2 || strings.Join(got.NoChannel, ",") != "orphan" {
		t.Fatalf("reminders %+v; want 4 open in two channels, orphan without one", got)
	}
	commerce := got.Reminders[0]
	if commerce.Channel != "#commerce-data" || commerce.Items != 2 ||
		!strings.Contains(commerce.Text, "`1` *orders*: alert on late loads — <@U0ALICE>, open since 2026-12-01 (triage/orders)") ||
		!strings.Contains(commerce.Text, "document the &lt;backfill&gt; — carol") {
		t.Errorf("commerce reminder %+v; want orders' item mentioning alice's Slack user and refunds' escaped", commerce)
	}
	if web := got.Reminders[1]; web.Channel != "#web-data" || !strings.Contains(web.Text, "<@U0BOB>") {
		t.Errorf("web reminder %+v; want U0BOB mentioned", web)
	}
}

func TestFollowupRemindersWithoutADatabaseSayWhy(t *testing.T) {
	got, err := (&Followups{}).DueFollowupReminders(context.Background())
	if err != nil || got.Reason == "" || len(got.Reminders) != 0 {
		t.Errorf("without a store: %+v, %v; want a reason and nothing to post", got, err)
	}
}
