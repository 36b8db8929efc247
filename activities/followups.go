package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/followups"
	"github.com/dre-dev/dre/internal/people"
)

// FollowupLister lists postmortem follow-ups; followups.Store is one. It
// is an interface so that tests can list without a database.
type FollowupLister interface {
	List(ctx context.Context, dataset string, all bool) ([]followups.Item, error)
}

// Followups turns the open follow-ups into weekly reminders, one per
// owner channel, from the worker's state database and catalog.
type Followups struct {
	// Store is nil on a worker without a state database.
	Store   FollowupLister
	Catalog *catalog.Catalog
	// People maps owners named by person ID to their Slack users.
	People *people.Directory
}

// FollowupReminder is the message for one channel.
type FollowupReminder struct {
	Channel string `json:"channel"`
	Text    string `json:"text"`
	Items   int    `json:"items"`
}

// FollowupReminders is every reminder due, and what could not be placed.
type FollowupReminders struct {
	Reminders []FollowupReminder `json:"reminders,omitempty"`
	Open      int                `json:"open"`
	// NoChannel are datasets with open follow-ups but no owner.slack_channel.
	NoChannel []string `json:"noChannel,omitempty"`
	// Reason says why nothing was read, when the worker has no database.
	Reason string `json:"reason,omitempty"`
}

// maxReminderItems bounds one message, which Slack cuts at 40,000 characters.
const maxReminderItems = 50

// DueFollowupReminders groups the open follow-ups by their dataset's
// owner channel and writes each channel's reminder.
func (f *Followups) DueFollowupReminders(ctx context.Context) (FollowupReminders, error) {
	if f.Store == nil {
		return FollowupReminders{Reason: "no state database (state.dsn in dre.yaml), so no follow-ups"}, nil
	}
	items, err := f.Store.List(ctx, "", false)
	if err != nil {
		return FollowupReminders{}, err
	}
	out := FollowupReminders{Open: len(items)}
	byChannel := map[string][]followups.Item{}
	var channels []string
	for _, it := range items {
		ch := f.channelOf(it.Dataset)
		if ch == "" {
			if !slices.Contains(out.NoChannel, it.Dataset) {
				out.NoChannel = append(out.NoChannel, it.Dataset)
			}
			continue
		}
		if _, seen := byChannel[ch]; !seen {
			channels = append(channels, ch)
		}
		byChannel[ch] = append(byChannel[ch], it)
	}
	for _, ch := range channels {
		out.Reminders = append(out.Reminders, FollowupReminder{Channel: ch, Text: f.reminderText(byChannel[ch]), Items: len(byChannel[ch])})
	}
	return out, nil
}

// channelOf is the dataset's owner channel, "" when the catalog has none.
func (f *Followups) channelOf(dataset string) string {
	if f.Catalog == nil {
		return ""
	}
	ds, err := f.Catalog.Lookup(dataset)
	if err != nil {
		return ""
	}
	return ds.Owner.SlackChannel
}

// reminderText lists a channel's open items, oldest first.
func (f *Followups) reminderText(items []followups.Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, ":clipboard: *%d open postmortem follow-up(s)*", len(items))
	for i, it := range items {
		if i == maxReminderItems {
			fmt.Fprintf(&b, "\n…and %d more: `dre triage followups list`", len(items)-i)
			break
		}
		fmt.Fprintf(&b, "\n• `%d` *%s*: %s — %s, open since %s", it.ID, SlackEscape(it.Dataset), SlackEscape(it.Text),
			f.mention(it.Owner), it.CreatedAt.UTC().Format(time.DateOnly))
		if it.Incident != "" {
			fmt.Fprintf(&b, " (%s)", SlackEscape(it.Incident))
		}
	}
	b.WriteString("\nClose one when it is done: `dre triage followups done <id>`.")
	return b.String()
}

// mention renders an owner as a Slack mention when dre.yaml or the owner
// itself gives a Slack user, else as text.
func (f *Followups) mention(owner string) string {
	user := owner
	if f.People != nil {
		if p, err := f.People.Person(owner); err == nil && p.SlackUser != "" {
			user = p.SlackUser
		}
	}
	if len(user) > 2 && (user[0] == 'U' || user[0] == 'W') && strings.ToUpper(user) == user && !strings.ContainsAny(user, " -_") {
		return "<@" + user + ">"
	}
	return SlackEscape(owner)
}
