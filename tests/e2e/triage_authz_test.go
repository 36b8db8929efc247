package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/workflows"
)

// strictDecisions is a worker policy that requires signatures, accepts
// Slack workspace T0ACME only, lets only the group oncall (U0ONCALL)
// resolve incidents, and knows the gateway's relay key; the relay is that
// key, for the gateway.
func strictDecisions(t *testing.T) (*activities.Policy, *gateway.SlackRelay) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	if err != nil {
		t.Fatal(err)
	}
	dir := people.NewDirectory(map[string]people.Person{
		"gateway": {Keys: []people.PublicKey{key}},
		"oncall":  {SlackUser: "U0ONCALL"},
		"mallory": {SlackUser: "U0MALLORY"},
	}, map[string]people.Group{"responders": {People: []string{"oncall"}}})
	relay, err := gateway.NewSlackRelay("gateway", pem.EncodeToMemory(block), dir)
	if err != nil {
		t.Fatal(err)
	}
	return &activities.Policy{People: dir, SlackRelay: "gateway", SlackWorkspaces: []string{"T0ACME"},
		Authz: authz.Policy{Rules: map[string][]string{authz.TriageResolve: {"responders"}}}}, relay
}

// TestTriageResolveButtonFollowsTheWorkersPolicy: through the real
// gateway and a worker that requires signed decisions, a Resolve click by
// someone outside authz.rules.triage.resolve, or by the right person from
// another workspace, is refused and the incident stays open; the
// responder's click, relay-signed by the gateway, resolves it.
func TestTriageResolveButtonFollowsTheWorkersPolicy(t *testing.T) {
	dsn, cfg := seededDemo(t, "triageauthz")
	makeOrdersStale(t, dsn)
	decide, relay := strictDecisions(t)
	s := startTriageStackOn(t, dsn, cfg, "dre-e2e-triage-authz", triageTestPolicy, decide, relay)
	form := "application/x-www-form-urlencoded"
	if st := postSigned(t, s.gateway+"/slack/commands", form, slashCommand("triage orders sev3 counts look off", "t-authz"), slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("signed command: %d", st)
	}
	id := workflows.TriageWorkflowID("orders")
	eventually(t, "the incident message", func() bool { return slackSaid(s.slack, "incident on orders") })
	told := startResponseURL(t)
	click := func(user, team string) {
		payload := fmt.Sprintf(`{"type":"block_actions","user":{"id":%q},"team":{"id":%q},"response_url":%q,"actions":[{"block_id":"b","action_id":"triage_resolve","value":%q}]}`,
			user, team, told.url, id)
		if st := postSigned(t, s.gateway+"/slack/interactions", form, url.Values{"payload": {payload}}.Encode(), slackSigner(triageSlackSecret)); st != http.StatusOK {
			t.Fatalf("Resolve click by %s of %s: %d", user, team, st)
		}
	}
	click("U0MALLORY", "T0ACME")
	click("U0ONCALL", "T0EVIL")
	eventually(t, "both refusals told to the clickers", func() bool {
		return told.said("may not resolve an incident") && told.said("not one of dre's")
	})
	if st := triageStatus(t, id); st == workflows.TriageResolved || st == "" {
		t.Fatalf("after the refused clicks the incident is %q; want it open", st)
	}
	click("U0ONCALL", "T0ACME")
	var tl workflows.TriageTimeline
	if err := env.Client.GetWorkflow(context.Background(), id, "").Get(context.Background(), &tl); err != nil || tl.ResolvedBy != "U0ONCALL" {
		t.Fatalf("incident ended %v, resolved by %q; want resolved by U0ONCALL", err, tl.ResolvedBy)
	}
}

// responseURL stands in for the response_url of Slack's clicks, where
// the gateway tells the clicker (ephemerally) what became of a click.
type responseURL struct {
	url    string
	mu     sync.Mutex
	bodies []string
}

func startResponseURL(t *testing.T) *responseURL {
	r := &responseURL{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(body))
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// said reports whether any follow-up contains s.
func (r *responseURL) said(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.bodies, func(b string) bool { return strings.Contains(b, s) })
}
