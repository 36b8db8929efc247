package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dre-dev/dre/workflows"
	"github.com/slack-go/slack"
)

// fakeButtons answers presses; pressing anything on triage/closed fails.
type fakeButtons struct {
	mu      sync.Mutex
	presses []string
}

// pressTriage records a click on an incident's button by who clicked,
// which must come with the Slack user and workspace to prove it.
func (f *fakeButtons) pressTriage(id, update string, a workflows.TriageAction) (string, error) {
	f.presses = append(f.presses, update+" "+id+" "+a.By)
	if a.Via != workflows.ViaSlack || a.SlackUser != a.By {
		return "", fmt.Errorf("the click of %s came without its Slack proof: %+v", a.By, a.Proof)
	}
	if id == "triage/closed" {
		return "", errors.New("the incident was resolved")
	}
	return "acknowledged", nil
}

// followUps records what was told to the clicker.
type followUps struct {
	mu   sync.Mutex
	said []string
}

func (f *followUps) post(_ context.Context, _ string, m *slack.WebhookMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.said = append(f.said, m.Text)
	return nil
}

func buttonClick(actionID, value string) url.Values {
	payload := fmt.Sprintf(`{"type":"block_actions","user":{"id":"U777"},"response_url":"http://127.0.0.1:1/r","actions":[{"block_id":"incident","action_id":%q,"value":%q,"type":"button"}]}`, actionID, value)
	return url.Values{"payload": {payload}}
}

func TestButtonsSendUpdatesAndTellTheClicker(t *testing.T) {
	buttons, told := &fakeButtons{}, &followUps{}
	base, stop := startSlackGateway(t, testSecret, &fakeStarter{}, func(c *Commands) { c.Buttons, c.FollowUp = buttons, told.post })
	clicks := []url.Values{
		buttonClick("triage_ack", "triage/orders"),
		buttonClick("triage_resolve", "triage/closed"),
		buttonClick("triage_backfill", "triage/orders"),
		buttonClick("someone_elses_button", "x"),
	}
	for _, form := range clicks {
		if status, _ := send(t, signedForm(t, base+"/slack/interactions", testSecret, form, time.Now())); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	forged := signedForm(t, base+"/slack/interactions", "wrong", buttonClick("triage_resolve", "triage/orders"), time.Now())
	if status, _ := send(t, forged); status != http.StatusUnauthorized {
		t.Fatalf("forged click: %d, want 401", status)
	}
	stop()
	if got := strings.Join(buttons.presses, "; "); !strings.Contains(got, "ack triage/orders U777") || !strings.Contains(got, "resolve triage/closed U777") ||
		!strings.Contains(got, "backfill triage/orders U777") || len(buttons.presses) != 3 {
		t.Fatalf("presses %q, want ack, resolve and backfill by U777 only", got)
	}
	said := strings.Join(told.said, "; ")
	if !strings.Contains(said, "Done: ack on triage/orders") || !strings.Contains(said, "the incident was resolved") {
		t.Fatalf("told %q", said)
	}
}
