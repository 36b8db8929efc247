package gateway

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/dre-dev/dre/internal/catalog"
)

// TestSocketModeRunsTheSameCommands connects the real Socket Mode client
// to slacktest's WebSocket and checks that a slash command is answered in
// its acknowledgement and starts exactly one triage.
func TestSocketModeRunsTheSameCommands(t *testing.T) {
	srv := slacktest.NewTestServer()
	srv.Start()
	defer srv.Stop()
	starter := &fakeStarter{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmds := &Commands{Catalog: catalog.New([]catalog.Dataset{{Name: "orders"}}), Triage: starter, Namespace: "default"}
	cmds.Start(ctx, 1)
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.GetAPIURL()), slack.OptionAppLevelToken("xapp-test"))
	go func() { _ = RunSocketMode(ctx, api, cmds) }()

	// Until the client is connected, envelopes are lost: send side-effect
	// free help commands until one is acknowledged.
	ackOf(t, srv, func(n int) string { return envelope(fmt.Sprintf("help-%d", n), "help") }, "/dre triage", time.Second)
	// Sent once: a second send would be a second command.
	ackOf(t, srv, func(n int) string {
		if n > 0 {
			t.Fatal("the triage command was not acknowledged")
		}
		return envelope("triage-1", "triage orders sev2 late")
	}, "triage%2Forders", 30*time.Second)
	cancel()
	cmds.Wait()
	if starter.count() != 1 || starter.starts[0].Report.Severity != 2 {
		t.Fatalf("starts %+v, want one sev2 triage", starter.starts)
	}
}

func envelope(id, text string) string {
	return fmt.Sprintf(`{"envelope_id":%q,"type":"slash_commands","accepts_response_payload":true,"payload":{"command":"/dre","text":%q,"user_id":"U1","channel_id":"C1"}}`, id, text)
}

// ackOf sends envelopes until an acknowledgement containing want is seen
// on the server's feed, waiting up to wait after each send.
func ackOf(t *testing.T, srv *slacktest.Server, next func(n int) string, want string, wait time.Duration) {
	t.Helper()
	for n := range 30 {
		srv.SendToWebsocket(next(n))
		deadline := time.After(wait)
		for waiting := true; waiting; {
			select {
			case msg := <-srv.SeenFeed:
				if strings.Contains(msg, want) {
					return
				}
			case <-deadline:
				waiting = false
			}
		}
	}
	t.Fatalf("no acknowledgement containing %q", want)
}
