package gateway

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/workflows"
)

// relayKey is a fresh relay key as gateway.signing_key holds it, and a
// directory listing its public half under people.gateway.
func relayKey(t *testing.T) ([]byte, *people.Directory) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	key, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(sshPub)))
	if err != nil {
		t.Fatal(err)
	}
	dir := people.NewDirectory(map[string]people.Person{"gateway": {Keys: []people.PublicKey{key}}, "owner": {SlackUser: "UOWNER"}}, nil)
	return pem.EncodeToMemory(block), dir
}

// A Slack user's decision leaves the gateway signed by the relay key for
// that user and workspace, and verifies as the workflow checks it.
func TestSlashAccessDecisionIsSignedByTheRelay(t *testing.T) {
	pemKey, dir := relayKey(t)
	relay, err := NewSlackRelay("gateway", pemKey, dir)
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeAccess{decisions: make(chan workflows.AccessDecision, 1)}
	c := &Commands{Access: fake, Relay: relay, FollowUp: func(context.Context, string, *slack.WebhookMessage) error { return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx, 1)
	defer func() { cancel(); c.Wait() }()

	id := "access-request/customers/U1/x"
	c.Run(ctx, slack.SlashCommand{UserID: "UOWNER", TeamID: "T0ACME", Text: "access approve " + id + " ok"})
	d := <-fake.decisions
	if d.Via != workflows.ViaSlack || d.SlackUser != "UOWNER" || d.SlackTeam != "T0ACME" || d.By != "gateway" {
		t.Fatalf("decision %+v; want UOWNER of T0ACME via the gateway relay", d)
	}
	signed := decision.Decision{WorkflowID: id, Action: "approve", Target: "customers", Decider: "gateway",
		OnBehalfOf: workflows.SlackOnBehalfOf("T0ACME", "UOWNER"), At: d.At, Nonce: d.Nonce}
	if _, err := decision.Verify(signed, d.Signature, dir, time.Now(), decision.DefaultMaxAge); err != nil {
		t.Fatalf("the relayed decision does not verify: %v", err)
	}
	signed.OnBehalfOf = workflows.SlackOnBehalfOf("T0ACME", "UMALLORY")
	if _, err := decision.Verify(signed, d.Signature, dir, time.Now(), decision.DefaultMaxAge); err == nil {
		t.Fatal("the relay's signature also verifies for another Slack user")
	}
}

// The relay key must be the one dre.yaml lists for decisions.slack_relay.
func TestNewSlackRelayRefusesAnUnlistedKey(t *testing.T) {
	pemKey, _ := relayKey(t)
	_, dir := relayKey(t)
	if _, err := NewSlackRelay("gateway", pemKey, dir); err == nil || !strings.Contains(err.Error(), "not listed under people.gateway.keys") {
		t.Fatalf("NewSlackRelay with another key = %v; want it refused", err)
	}
	if _, err := NewSlackRelay("", pemKey, dir); err == nil || !strings.Contains(err.Error(), "decisions.slack_relay is not") {
		t.Fatalf("NewSlackRelay without an ID = %v; want it refused", err)
	}
}

// The relay signs the Slack user groups dre.yaml's groups name that the
// user is in, as Slack lists them; a failing lookup vouches for nothing.
func TestRelaySignsTheUsersSlackGroups(t *testing.T) {
	pemKey, dir := relayKey(t)
	relay, err := NewSlackRelay("gateway", pemKey, dir)
	if err != nil {
		t.Fatal(err)
	}
	slackGroups := &fakeGroups{members: map[string][]string{"S0ONCALL": {"U0BOB"}, "S0SALES": {"U0EVE"}}}
	a := &Authorizer{Groups: slackGroups.list}
	named := []string{"S0SALES", "S0ONCALL", "S0GONE"}
	relay.Groups = func(ctx context.Context, user string) []string { return a.GroupsOf(ctx, user, named) }

	by, p, err := relay.Sign("triage/orders", "resolve", "orders", "T0ACME", "U0BOB", time.Now())
	if err != nil || by != "gateway" || len(p.SlackGroups) != 1 || p.SlackGroups[0] != "S0ONCALL" {
		t.Fatalf("signed %q %+v, %v; want U0BOB in S0ONCALL only", by, p, err)
	}
	signed := decision.Decision{WorkflowID: "triage/orders", Action: "resolve", Target: "orders", Decider: "gateway",
		OnBehalfOf: workflows.SlackOnBehalfOfIn("T0ACME", "U0BOB", p.SlackGroups), At: p.At, Nonce: p.Nonce}
	if _, err := decision.Verify(signed, p.Signature, dir, time.Now(), decision.DefaultMaxAge); err != nil {
		t.Errorf("the groups are not covered by the signature: %v", err)
	}
	if _, p, _ := relay.Sign("triage/orders", "resolve", "orders", "T0ACME", "U0NOBODY", time.Now()); len(p.SlackGroups) != 0 {
		t.Errorf("a user in no group was signed into %v", p.SlackGroups)
	}
}
