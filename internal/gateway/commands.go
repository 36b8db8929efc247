package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/uilink"
	"github.com/dre-dev/dre/workflows"
)

// TriageStarter opens a dataset's incident, or adds a report to the open
// one (signal-with-start on triage/<dataset>).
type TriageStarter interface {
	ReportTriage(ctx context.Context, in workflows.TriageInput) error
}

// RunSummary is one open dre run, for /dre status.
type RunSummary struct {
	WorkflowID string
	RunID      string
	Kind       string
	Dataset    string
	Status     string
}

// RunLister lists open dre runs, of one dataset or ("") of all.
type RunLister interface {
	OpenRuns(ctx context.Context, dataset string) ([]RunSummary, error)
}

// Commands runs the /dre slash command's subcommands. Anything that talks
// to Temporal for long is queued so that Slack gets its answer at once.
type Commands struct {
	Catalog   *catalog.Catalog
	Triage    TriageStarter
	Runs      RunLister
	UIBase    string
	Namespace string
	Logger    *slog.Logger
	// FollowUp posts to a command's response_url; nil uses slack-go.
	FollowUp func(ctx context.Context, url string, msg *slack.WebhookMessage) error

	// Buttons acts on the buttons of dre's Slack messages.
	Buttons ButtonPresser
	// Authorize limits subcommands to some users; nil allows everyone.
	Authorize *Authorizer
	// Access starts access requests and sends their decisions; nil
	// answers /dre access with "not enabled".
	Access AccessService

	queue chan job
	wg    sync.WaitGroup
}

// job is accepted work that runs after Slack has its answer.
type job func(ctx context.Context)

// queueSize bounds accepted-but-not-started commands; beyond it a command
// is refused with "busy" rather than accepted and lost.
const queueSize = 1024

// Start runs the workers that start queued workflows; they stop when ctx
// ends, after draining what was accepted.
func (c *Commands) Start(ctx context.Context, workers int) {
	c.queue = make(chan job, queueSize)
	for range workers {
		c.wg.Add(1)
		go c.startLoop(ctx)
	}
}

// Wait blocks until the workers have stopped.
func (c *Commands) Wait() { c.wg.Wait() }

func (c *Commands) startLoop(ctx context.Context) {
	defer c.wg.Done()
	for {
		select {
		case j := <-c.queue:
			c.run(context.WithoutCancel(ctx), j)
		case <-ctx.Done():
			c.drain(context.WithoutCancel(ctx))
			return
		}
	}
}

// drain starts what is still queued at shutdown: each of these commands
// was answered "started" already.
func (c *Commands) drain(ctx context.Context) {
	for {
		select {
		case j := <-c.queue:
			c.run(ctx, j)
		default:
			return
		}
	}
}

// run runs one job with a deadline, so a stuck Temporal call cannot hold
// a worker for ever.
func (c *Commands) run(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	j(ctx)
}

// startTriage is the job of an accepted /dre triage.
func (c *Commands) startTriage(in workflows.TriageInput, responseURL string) job {
	return func(ctx context.Context) {
		err := c.Triage.ReportTriage(ctx, in)
		if err == nil {
			return
		}
		c.logger().Error("starting triage failed", "dataset", in.Dataset.Name, "error", err)
		c.tell(ctx, responseURL, "Triage of %s could not be started: %v. Try again, or run `dre triage start %s` from a terminal.", in.Dataset.Name, err, in.Dataset.Name)
	}
}

// tell answers the user who acted, through the response_url of the
// command or click, visible only to them.
func (c *Commands) tell(ctx context.Context, responseURL, format string, args ...any) {
	if responseURL == "" {
		return
	}
	msg := &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, ReplaceOriginal: false, Text: fmt.Sprintf(format, args...)}
	if err := c.followUp(ctx, responseURL, msg); err != nil {
		c.logger().Error("follow-up to Slack failed", "error", err)
	}
}

func (c *Commands) followUp(ctx context.Context, url string, msg *slack.WebhookMessage) error {
	if c.FollowUp != nil {
		return c.FollowUp(ctx, url, msg)
	}
	return slack.PostWebhookContext(ctx, url, msg)
}

func (c *Commands) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// enqueue accepts a job, or reports that the queue is full.
func (c *Commands) enqueue(j job) error {
	select {
	case c.queue <- j:
		return nil
	default:
		return errors.New("dre is busy starting other workflows; try again in a minute")
	}
}

// link is the Temporal UI page of a workflow ID.
func (c *Commands) link(workflowID string) string {
	return uilink.Workflow(c.UIBase, c.Namespace, workflowID)
}

// ephemeral is a reply only the user who ran the command sees.
func ephemeral(format string, args ...any) slack.Msg {
	return slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: fmt.Sprintf(format, args...)}
}

// fields splits a command's text into words.
func fields(text string) []string { return strings.Fields(text) }
