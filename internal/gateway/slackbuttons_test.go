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
		"tag pii-scan/all {Dataset:crm/contacts Column:phone Kind: Approver:U777}",
		"decide access-review/closed {By:U777 Grant:customers/bob Decision:keep",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("presses lack %q:\n%s", want, got)
		}
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
