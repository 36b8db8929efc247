package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

// strictTriage is a harness whose worker requires signed decisions, lets
// only the group oncall (owner) resolve, and accepts Slack workspace
// T0ACME only; the gateway relays Slack clicks with its key.
func strictTriage(t *testing.T) (*triageHarness, *testPeople) {
	h := newTriageHarness(t)
	tp := newTestPeople(t)
	h.policy.People = people.NewDirectory(map[string]people.Person{
		"owner": personWithKey(tp, "owner", "UOWNER"), "mallory": personWithKey(tp, "mallory", "UMALLORY"),
		"gateway": personWithKey(tp, "gateway", ""),
	}, map[string]people.Group{"oncall": {People: []string{"owner"}}})
	h.policy.AllowUnsigned, h.policy.SlackRelay, h.policy.SlackWorkspaces = false, "gateway", []string{"T0ACME"}
	h.policy.Authz = authz.Policy{Rules: map[string][]string{authz.TriageResolve: {"oncall"}}}
	return h, tp
}

// personWithKey is tp's person id with their test key, as another
// directory lists them.
func personWithKey(tp *testPeople, id, slackUser string) people.Person {
	p, _ := tp.dir.Person(id)
	return people.Person{SlackUser: slackUser, Keys: p.Keys}
}

// click is a Slack user's click on an incident button as the gateway
// relays it, signed with signer's key (the relay's, unless a test forges).
func (tp *testPeople) click(t *testing.T, signer, team, user, update string, after time.Duration, nonce string) TriageAction {
	d := decision.Decision{WorkflowID: TriageWorkflowID("orders"), Action: update, Target: "orders", Decider: "gateway",
		OnBehalfOf: SlackOnBehalfOf(team, user), At: triageStart.Add(after), Nonce: nonce}
	p := tp.proof(t, signer, d)
	p.Via, p.SlackTeam, p.SlackUser = ViaSlack, team, user
	return TriageAction{By: "gateway", Proof: p}
}

// A Resolve click by someone outside authz.rules.triage.resolve, from
// another workspace, unsigned, or forged is refused and the incident
// stays open; the on-call owner's relayed click resolves it, and the
// audit log names the relay's key and the Slack user.
func TestTriageResolveFollowsTheAuthzPolicy(t *testing.T) {
	h, tp := strictTriage(t)
	h.at(time.Minute, func() {
		h.update("stranger", TriageResolveUpdate, tp.click(t, "gateway", "T0ACME", "UMALLORY", TriageResolveUpdate, time.Minute, "nonce-stranger-0001"))
		h.update("workspace", TriageResolveUpdate, tp.click(t, "gateway", "T0EVIL", "UOWNER", TriageResolveUpdate, time.Minute, "nonce-workspace-001"))
		h.update("unsigned", TriageResolveUpdate, TriageAction{By: "UOWNER", Proof: Proof{Via: ViaSlack, SlackUser: "UOWNER", SlackTeam: "T0ACME"}})
		h.update("forged", TriageResolveUpdate, tp.click(t, "mallory", "T0ACME", "UOWNER", TriageResolveUpdate, time.Minute, "nonce-forged-000001"))
		h.update("pagerduty-unsigned", TriageResolveUpdate, TriageAction{By: "pagerduty:Bob", Proof: Proof{Via: ViaPagerDuty, PagerDutyAgent: "Bob"}})
	})
	h.at(2*time.Minute, func() {
		if tl := h.timelineNow(); tl.Status == TriageResolved {
			t.Errorf("a refused click resolved the incident")
		}
		if n := len(h.audited); n != 0 {
			t.Errorf("refused clicks wrote %d audit records", n)
		}
		h.mustUpdate(TriageResolveUpdate, tp.click(t, "gateway", "T0ACME", "UOWNER", TriageResolveUpdate, 2*time.Minute, "nonce-owner-000001"))
	})
	tl := h.run(ordersIncident(2))
	for label, want := range map[string]string{
		"stranger": "may not resolve an incident", "workspace": "not one of dre's", "unsigned": "not signed by the gateway",
		"forged": "signing key belongs to someone else", "pagerduty-unsigned": "not signed by the gateway",
	} {
		if err := h.rejected[label]; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: refusal %v, want it to say %q", label, err, want)
		}
	}
	if tl.Status != TriageResolved || tl.ResolvedBy != "UOWNER" {
		t.Fatalf("status %s resolved by %q; want resolved by UOWNER", tl.Status, tl.ResolvedBy)
	}
	wantKey := tp.fingerprint("gateway") + " (relay gateway for Slack slack:T0ACME/UOWNER)"
	if !h.audits("triage.resolve", "UOWNER", wantKey) {
		t.Errorf("audit %+v; want triage.resolve by UOWNER with key %q", h.audited, wantKey)
	}
}

// The same signature cannot be sent twice, and a CLI signature by a person
// outside the rule is refused; the default rules let any proven person ack.
func TestTriageSignedAckAndReplay(t *testing.T) {
	h, tp := strictTriage(t)
	d := decision.Decision{WorkflowID: TriageWorkflowID("orders"), Action: TriageAckUpdate, Target: "orders", Decider: "mallory",
		At: triageStart.Add(time.Minute), Nonce: "nonce-mallory-ack-01"}
	ack := TriageAction{By: "mallory", Proof: tp.proof(t, "mallory", d)}
	h.at(time.Minute, func() { h.mustUpdate(TriageAckUpdate, ack) })
	h.at(2*time.Minute, func() {
		h.update("resolve-by-mallory", TriageResolveUpdate, func() TriageAction {
			r := d
			r.Action, r.Nonce = TriageResolveUpdate, "nonce-mallory-res-01"
			return TriageAction{By: "mallory", Proof: tp.proof(t, "mallory", r)}
		}())
	})
	h.at(3*time.Minute, func() {
		h.mustUpdate(TriageResolveUpdate, tp.click(t, "gateway", "T0ACME", "UOWNER", TriageResolveUpdate, 3*time.Minute, "nonce-owner-000002"))
	})
	tl := h.run(ordersIncident(2))
	if tl.AcknowledgedBy != "mallory" {
		t.Errorf("acked by %q, want mallory (signed)", tl.AcknowledgedBy)
	}
	if err := h.rejected["resolve-by-mallory"]; err == nil || !strings.Contains(err.Error(), "authz.rules.triage.resolve") {
		t.Errorf("mallory's signed resolve: %v; want refused by authz.rules.triage.resolve", err)
	}
	if !h.audits("triage.ack", "mallory", tp.fingerprint("mallory")) {
		t.Errorf("audit %+v; want mallory's ack with her key", h.audited)
	}
}

// timelineNow queries the running incident.
func (h *triageHarness) timelineNow() TriageTimeline {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(TriageTimelineQuery)
	var tl TriageTimeline
	if err == nil {
		err = v.Get(&tl)
	}
	if err != nil {
		h.t.Fatalf("timeline query: %v", err)
	}
	return tl
}

// audits reports whether an audit record of action by actor names key.
func (h *triageHarness) audits(action, actor, key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.audited {
		if e.Action == action && e.Actor == actor && e.Details["verified_key"] == key {
			return true
		}
	}
	return false
}

// clickIn is click for a Slack user the relay vouches is in groups.
func (tp *testPeople) clickIn(t *testing.T, user string, groups []string, after time.Duration, nonce string) TriageAction {
	d := decision.Decision{WorkflowID: TriageWorkflowID("orders"), Action: TriageResolveUpdate, Target: "orders", Decider: "gateway",
		OnBehalfOf: SlackOnBehalfOfIn("T0ACME", user, groups), At: triageStart.Add(after), Nonce: nonce}
	p := tp.proof(t, "gateway", d)
	p.Via, p.SlackTeam, p.SlackUser, p.SlackGroups = ViaSlack, "T0ACME", user, groups
	return TriageAction{By: "gateway", Proof: p}
}

// A Slack user outside people: counts as a member of a group whose
// slack_groups the relay signed them into; a group added to a relayed
// proof after signing, or another Slack group, counts for nothing.
func TestTriageResolveBySlackUserGroup(t *testing.T) {
	h, tp := strictTriage(t)
	g, _ := h.policy.People.Group("oncall")
	h.policy.People = people.NewDirectory(map[string]people.Person{"gateway": personWithKey(tp, "gateway", "")},
		map[string]people.Group{"oncall": {People: g.People, SlackGroups: []string{"S0ONCALL"}}})
	h.at(time.Minute, func() {
		h.update("other group", TriageResolveUpdate, tp.clickIn(t, "UNEW", []string{"S0SALES"}, time.Minute, "nonce-group-other01"))
		added := tp.clickIn(t, "UNEW", nil, time.Minute, "nonce-group-added01")
		added.Proof.SlackGroups = []string{"S0ONCALL"}
		h.update("added", TriageResolveUpdate, added)
	})
	h.at(2*time.Minute, func() {
		h.mustUpdate(TriageResolveUpdate, tp.clickIn(t, "UNEW", []string{"S0ONCALL"}, 2*time.Minute, "nonce-group-member1"))
	})
	tl := h.run(ordersIncident(2))
	for label, want := range map[string]string{"other group": "may not resolve an incident", "added": "signature"} {
		if err := h.rejected[label]; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: refusal %v, want it to say %q", label, err, want)
		}
	}
	if tl.Status != TriageResolved || tl.ResolvedBy != "UNEW" {
		t.Fatalf("status %s resolved by %q; want resolved by the Slack group's UNEW", tl.Status, tl.ResolvedBy)
	}
	if wantKey := tp.fingerprint("gateway") + " (relay gateway for Slack slack:T0ACME/UNEW in S0ONCALL)"; !h.audits("triage.resolve", "UNEW", wantKey) {
		t.Errorf("audit %+v; want the Slack group in the evidence %q", h.audited, wantKey)
	}
}
