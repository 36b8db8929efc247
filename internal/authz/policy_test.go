package authz

import (
	"errors"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/people"
)

func testDirectory() *people.Directory {
	return people.NewDirectory(map[string]people.Person{
		"alice": {SlackUser: "UALICE"},
		"bob":   {SlackUser: "UBOB"},
		"carol": {},
	}, map[string]people.Group{
		"oncall":   {People: []string{"alice"}},
		"payments": {People: []string{"bob"}},
	})
}

func TestCheckRules(t *testing.T) {
	dir := testDirectory()
	p := Policy{
		Rules:    map[string][]string{TriageResolve: {"oncall"}, BackfillApprove: {Owner}},
		Datasets: map[string]map[string][]string{"orders": {TriageResolve: {"carol"}}},
	}
	cases := []struct {
		name   string
		action string
		who    Decider
		facts  Facts
		reason string // "" allowed
	}{
		{"group member resolves", TriageResolve, Decider{Person: "alice", Name: "alice"}, Facts{}, ""},
		{"non-member refused", TriageResolve, Decider{Person: "bob", Name: "bob"}, Facts{}, ReasonNotAllowed},
		{"dataset override replaces rule", TriageResolve, Decider{Person: "alice", Name: "alice"}, Facts{Dataset: "orders"}, ReasonNotAllowed},
		{"dataset override admits", TriageResolve, Decider{Person: "carol", Name: "carol"}, Facts{Dataset: "orders"}, ""},
		{"owner team member", BackfillApprove, Decider{Person: "bob", Name: "bob"}, Facts{OwnerTeam: "payments"}, ""},
		{"not of owner team", BackfillApprove, Decider{Person: "alice", Name: "alice"}, Facts{OwnerTeam: "payments"}, ReasonNotAllowed},
		{"owner may not approve own", BackfillApprove, Decider{Person: "bob", Name: "UBOB", NameCounts: true}, Facts{OwnerTeam: "payments", Requester: "cli:bob"}, ReasonSelfApproval},
		{"default anyone", TriageAck, Decider{Name: "UX", NameCounts: true}, Facts{}, ""},
		{"default approvers by slack id", AccessApprove, Decider{Person: "alice", Name: "alice"}, Facts{Approvers: []string{"UALICE"}}, ""},
		{"default approvers, not one", AccessApprove, Decider{Person: "carol", Name: "carol"}, Facts{Approvers: []string{"oncall"}}, ReasonNotAllowed},
		{"default approvers, none listed", DeprecateContinue, Decider{Person: "carol", Name: "carol"}, Facts{}, ""},
		{"unverified name counts", RunbookApprove, Decider{Name: "cli:bob", NameCounts: true}, Facts{Approvers: []string{"bob"}}, ""},
		{"verified name alone does not", RunbookApprove, Decider{Name: "bob"}, Facts{Approvers: []string{"bob"}}, ReasonNotAllowed},
		{"requester revokes", AccessRevoke, Decider{Person: "carol", Name: "carol"}, Facts{Requester: "carol", Approvers: []string{"oncall"}}, ""},
		{"unknown action", "triage.delete", Decider{Person: "alice"}, Facts{}, ReasonUnknownAction},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := p.Check(dir, c.action, c.who, c.facts)
			var r *Refusal
			switch {
			case c.reason == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.reason != "" && !errors.As(err, &r):
				t.Fatalf("allowed, want refusal %s", c.reason)
			case c.reason != "" && r.Reason != c.reason:
				t.Fatalf("refused for %s (%v), want %s", r.Reason, err, c.reason)
			}
		})
	}
}

func TestConfiguredApproversWithoutListAdmitNobody(t *testing.T) {
	p := Policy{Rules: map[string][]string{DeprecateContinue: {Approvers}}}
	err := p.Check(testDirectory(), DeprecateContinue, Decider{Person: "alice", Name: "alice"}, Facts{})
	if err == nil || !strings.Contains(err.Error(), "authz.rules.deprecate.continue") {
		t.Fatalf("got %v, want a refusal naming the rule", err)
	}
}

func TestRefusalSaysWhoMay(t *testing.T) {
	p := Policy{Rules: map[string][]string{TriageResolve: {"oncall", Owner}}}
	err := p.Check(testDirectory(), TriageResolve, Decider{Person: "bob", Name: "bob"}, Facts{OwnerTeam: "payments-x"})
	for _, want := range []string{"bob may not resolve an incident (triage.resolve)", "oncall", "owner (payments-x)", "authz.rules.triage.resolve"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %v lacks %q", err, want)
		}
	}
}

func TestValidate(t *testing.T) {
	p := Policy{
		Rules:    map[string][]string{"triage.delete": {"x"}, TriageAck: {"oncall", "UABC123", "nobody"}, TriageResolve: {}},
		Datasets: map[string]map[string][]string{"ghost": {TriageAck: {Anyone}}, "orders": {BackfillApprove: {Owner}}},
	}
	got := map[string]bool{}
	for _, pr := range Validate(p, testDirectory(), []string{"orders"}) {
		got[pr.Path] = true
	}
	for _, want := range []string{"authz.rules.triage.delete", "authz.rules.triage.ack[2]", "authz.rules.triage.resolve", "authz.datasets.ghost"} {
		if !got[want] {
			t.Errorf("no problem at %s; got %v", want, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("got %d problems %v, want 4", len(got), got)
	}
}

func TestEveryActionHasAPhraseAndADefault(t *testing.T) {
	for _, a := range Actions() {
		if phrases[a] == "" {
			t.Errorf("%s has no phrase for messages", a)
		}
	}
	if len(phrases) != len(defaults) {
		t.Errorf("%d phrases for %d actions", len(phrases), len(defaults))
	}
}
