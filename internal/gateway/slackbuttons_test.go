package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/workflows"
)

// PressWith records the update and its argument; a decision on
// access-review/closed is rejected.
func (f *fakeButtons) PressWith(_ context.Context, id, update string, arg any) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch a := arg.(type) {
	case workflows.TriageAction:
		return f.pressTriage(id, update, a)
	case workflows.BackfillApproval: // recorded by the approver, as the bare name was
		arg = a.By
	}
	f.presses = append(f.presses, fmt.Sprintf("%s %s %+v", update, id, arg))
	if id == "access-review/closed" {
		return "", fmt.Errorf("the review of 2026Q1 is done")
	}
	return "ok", nil
}

func TestButtonsOfOtherWorkflowsSendTheirArguments(t *testing.T) {
	buttons, told := &fakeButtons{}, &followUps{}
	base, stop := startSlackGateway(t, testSecret, &fakeStarter{}, func(c *Commands) { c.Buttons, c.FollowUp = buttons, told.post })
	review := activities.ButtonValue("access-review/2026Q1", "customers/bob/email")
	clicks := []struct{ actionID, value string }{
		{activities.ReviewButtonKeep + "/0", review},
		{activities.ReviewButtonRevoke + "/3", activities.ButtonValue("access-review/2026Q1", workflows.ReviewAll)},
		{activities.DeprecateButtonAck + "/0", activities.ButtonValue("deprecate/legacy", "")},
		{activities.PIIButtonTag + "/1", activities.ButtonValue("pii-scan/all", "crm/contacts/phone")},
		{activities.PIIButtonTag + "/2", activities.ButtonValue("pii-scan/all", "no-column")},
		{activities.ReviewButtonKeep + "/0", activities.ButtonValue("access-review/closed", "customers/bob")},
		{"review_keeper/0", review}, // not a known kind
	}
	for _, c := range clicks {
		req := signedForm(t, base+"/slack/interactions", testSecret, buttonClick(c.actionID, c.value), time.Now())
		if status, _ := send(t, req); status != http.StatusOK {
			t.Fatalf("%s: status %d", c.actionID, status)
		}
	}
	stop()
	got := strings.Join(buttons.presses, "\n")
	for _, want := range []string{
		"decide access-review/2026Q1 {By:U777 Grant:customers/bob/email Decision:keep",
		"decide access-review/2026Q1 {By:U777 Grant:all Decision:revoke",
		"ack deprecate/legacy {By:U777 ",
		"tag pii-scan/all {Dataset:crm/contacts Column:phone Kind: Approver:U777 Proof:{",
		"decide access-review/closed {By:U777 Grant:customers/bob Decision:keep",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("presses lack %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Via:slack SlackUser:U777"); n != 5 {
		t.Errorf("%d presses name the Slack clicker as their proof, want all 5:\n%s", n, got)
	}
	if len(buttons.presses) != 5 {
		t.Errorf("%d presses, want 5 (a tag without a column and an unknown kind send nothing):\n%s", len(buttons.presses), got)
	}
	said := strings.Join(told.said, "\n")
	for _, want := range []string{"Done: decide on access-review/2026Q1 (now ok)", "names no dataset and column", "the review of 2026Q1 is done"} {
		if !strings.Contains(said, want) {
			t.Errorf("the clicker was not told %q:\n%s", want, said)
		}
	}
}

func TestButtonValueRoundTripsAndReadsBareWorkflowIDs(t *testing.T) {
	if id, arg := activities.ParseButtonValue(activities.ButtonValue("a|b", "x/y|z")); id != "a|b" || arg != "x/y|z" {
		t.Errorf("round trip = %q, %q", id, arg)
	}
	if id, arg := activities.ParseButtonValue("triage/orders"); id != "triage/orders" || arg != "" {
		t.Errorf("bare ID = %q, %q", id, arg)
	}
}

// TestBackfillApproveButtonApprovesAsTheClicker: Approve on a waiting
// backfill sends the approve update with the clicker as approver, and
// slack.allow.backfill-approve keeps everyone else's click from reaching
// the workflow.
func TestBackfillApproveButtonApprovesAsTheClicker(t *testing.T) {
	click := buttonClick(activities.BackfillButtonApprove+"/0", activities.ButtonValue(workflows.BackfillWorkflowID("orders"), ""))
	for _, tc := range []struct {
		name        string
		allow       []string
		wantPresses string
		wantTold    string
	}{
		{"open to the channel", nil, "approve backfill/orders U777", "Done: approve on backfill/orders"},
		{"clicker on the list", []string{"U777"}, "approve backfill/orders U777", "Done: approve on backfill/orders"},
		{"clicker not on the list", []string{"U0LEAD"}, "", "you may not click approve; it is limited to <@U0LEAD> (slack.allow.backfill-approve in dre.yaml)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buttons, told := &fakeButtons{}, &followUps{}
			base, stop := startSlackGateway(t, testSecret, &fakeStarter{}, func(c *Commands) {
				c.Buttons, c.FollowUp = buttons, told.post
				if tc.allow != nil {
					c.Authorize = &Authorizer{Allow: map[string][]string{BackfillApproveAllowKey: tc.allow}}
				}
			})
			req := signedForm(t, base+"/slack/interactions", testSecret, click, time.Now())
			if status, _ := send(t, req); status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			stop()
			if got := strings.Join(buttons.presses, "\n"); got != tc.wantPresses {
				t.Errorf("presses %q, want %q", got, tc.wantPresses)
			}
			if said := strings.Join(told.said, "\n"); !strings.Contains(said, tc.wantTold) {
				t.Errorf("the clicker was told %q, want %q", said, tc.wantTold)
			}
		})
	}
}
