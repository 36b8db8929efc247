package gateway

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/workflows"
)

// fakeAccess records the requests it is asked to start and the decisions
// it is sent.
type fakeAccess struct {
	mu        sync.Mutex
	requests  []workflows.AccessRequestInput
	started   chan struct{}
	decisions chan workflows.AccessDecision
}

func (f *fakeAccess) RequestAccess(_ context.Context, in workflows.AccessRequestInput) (string, error) {
	f.mu.Lock()
	f.requests = append(f.requests, in)
	f.mu.Unlock()
	f.started <- struct{}{}
	return "access-request/customers/U1/x", nil
}

func (f *fakeAccess) DecideAccess(_ context.Context, _, _ string, d workflows.AccessDecision) (string, error) {
	if f.decisions != nil {
		f.decisions <- d
	}
	return "", nil
}

func TestSlashAccessRequestStartsAValidatedRequest(t *testing.T) {
	ds := catalog.Dataset{Name: "customers", Warehouse: "local", Table: "public.customers",
		PII: catalog.PII{Columns: map[string]catalog.PIIKind{"email": catalog.PIIEmail}, Approvers: []string{"UOWNER"}}}
	fake := &fakeAccess{started: make(chan struct{}, 1)}
	dir := people.NewDirectory(map[string]people.Person{"jo": {SlackUser: "U1", Principals: map[string]string{"local": "jo_doe"}}}, nil)
	c := &Commands{Catalog: catalog.New([]catalog.Dataset{ds}), Access: fake, People: dir, FollowUp: func(context.Context, string, *slack.WebhookMessage) error { return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx, 1)
	defer func() { cancel(); c.Wait() }()

	// The Slack handle says nothing about the grant: the directory does.
	cmd := slack.SlashCommand{UserID: "U1", UserName: "Someone.Else", Text: "access request customers email,phone 4h refund ticket 4711"}
	if msg := c.Run(ctx, cmd); !strings.Contains(msg.Text, "role `jo_doe`") {
		t.Fatalf("answer %q; want the role the grant goes to", msg.Text)
	}
	<-fake.started
	in := fake.requests[0]
	if in.Requester != "U1" || in.Principal != "jo_doe" || strings.Join(in.Columns, ",") != "email,phone" || in.Duration != 4*time.Hour || in.Reason != "refund ticket 4711" {
		t.Fatalf("started %+v; want U1's 4h request for email and phone as jo_doe", in)
	}
	incident := cmd
	incident.Text = "access request customers 8h for triage/orders orders without customers"
	c.Run(ctx, incident)
	<-fake.started
	if in := fake.requests[1]; in.Incident != "triage/orders" || in.Reason != "orders without customers" {
		t.Fatalf("started %+v; want the access tied to triage/orders, the rest as the reason", in)
	}
	stranger := cmd
	stranger.UserID, stranger.UserName = "U2", "jo_doe"
	if msg := c.Run(ctx, stranger); !strings.Contains(msg.Text, "U2") || !strings.Contains(msg.Text, "people") || len(fake.started) != 0 {
		t.Fatalf("a Slack user outside the directory: answer %q; want a refusal saying what to add, and nothing started", msg.Text)
	}
	cmd.Text = "access request customers 90d too long"
	if msg := c.Run(ctx, cmd); !strings.Contains(msg.Text, "up to 720h") || len(fake.started) != 0 {
		t.Fatalf("90d answer %q; want the 30d policy named and nothing started", msg.Text)
	}
}
