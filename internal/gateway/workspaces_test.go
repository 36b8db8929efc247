package gateway

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/telemetry"
)

// scrapeHandler reads a metrics handler's Prometheus text.
func scrapeHandler(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// clickFrom is a signed click on actionID by user of workspace team.
func clickFrom(actionID, value, user, team string) url.Values {
	payload := fmt.Sprintf(`{"type":"block_actions","user":{"id":%q},"team":{"id":%q},"response_url":"http://127.0.0.1:1/r","actions":[{"block_id":"incident","action_id":%q,"value":%q,"type":"button"}]}`,
		user, team, actionID, value)
	return url.Values{"payload": {payload}}
}

// TestIncidentButtonsRefuseStrangers: a Slack Connect user of a workspace
// dre.yaml does not name, and a user outside slack.allow.triage-buttons,
// cannot resolve an incident; the incident hears nothing of their clicks
// and they are told why.
func TestIncidentButtonsRefuseStrangers(t *testing.T) {
	for _, tc := range []struct {
		name, user, team string
		allow            []string
		wantPress        bool
		wantTold         string
	}{
		{"a member of the workspace", "U777", "T0HOME", nil, true, "Done: resolve on triage/orders"},
		{"a Slack Connect user of another workspace", "U999", "T0OTHER", nil, false, "workspace T0OTHER is not one of them"},
		{"a member outside the triage-buttons list", "U777", "T0HOME", []string{"U0ONCALL"}, false, "limited to <@U0ONCALL> (slack.allow.triage-buttons"},
		{"an on-call engineer on the list", "U0ONCALL", "T0HOME", []string{"U0ONCALL"}, true, "Done: resolve on triage/orders"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buttons, told := &fakeButtons{}, &followUps{}
			m, err := telemetry.NewMetrics()
			if err != nil {
				t.Fatal(err)
			}
			base, stop := startSlackGateway(t, testSecret, &fakeStarter{}, func(c *Commands) {
				c.Buttons, c.FollowUp, c.Recorder = buttons, told.post, m.Handler()
				c.Authorize = &Authorizer{Workspaces: []string{"T0HOME"}, Allow: map[string][]string{}}
				if tc.allow != nil {
					c.Authorize.Allow[TriageButtonsAllowKey] = tc.allow
				}
			})
			click := clickFrom(activities.TriageButtonResolve, "triage/orders", tc.user, tc.team)
			if status, _ := send(t, signedForm(t, base+"/slack/interactions", testSecret, click, time.Now())); status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			stop()
			if pressed := len(buttons.presses) > 0; pressed != tc.wantPress {
				t.Errorf("presses %q; want pressed = %v", buttons.presses, tc.wantPress)
			}
			if said := strings.Join(told.said, "\n"); !strings.Contains(said, tc.wantTold) {
				t.Errorf("the clicker was told %q, want %q", said, tc.wantTold)
			}
			counted := strings.Contains(scrapeHandler(t, m.HTTPHandler()), MetricRefusals+"_total{")
			if counted == tc.wantPress {
				t.Errorf("refusal counted %v; want %v", counted, !tc.wantPress)
			}
		})
	}
}

// TestCommandsFromAnotherWorkspaceAreRefused: `/dre triage` from a
// workspace dre.yaml does not name opens nothing.
func TestCommandsFromAnotherWorkspaceAreRefused(t *testing.T) {
	starter := &fakeStarter{}
	base, stop := startSlackGateway(t, testSecret, starter, func(c *Commands) {
		c.Authorize = &Authorizer{Workspaces: []string{"T0HOME"}}
	})
	form := commandForm("triage orders sev2 late rows")
	form.Set("team_id", "T0OTHER")
	status, body := send(t, signedForm(t, base+"/slack/commands", testSecret, form, time.Now()))
	stop()
	if status != http.StatusOK || !strings.Contains(body, "workspace T0OTHER is not one of them") {
		t.Errorf("status %d, reply %q; want the workspace refusal", status, body)
	}
	if n := starter.count(); n != 0 {
		t.Errorf("%d triage reports started; want none", n)
	}
}
