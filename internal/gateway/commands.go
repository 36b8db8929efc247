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

	queue chan startJob
	wg    sync.WaitGroup
}

// startJob is an accepted command waiting for its workflow start.
type startJob struct {
	in          workflows.TriageInput
	responseURL string
}

// queueSize bounds accepted-but-not-started commands; beyond it a command
// is refused with "busy" rather than accepted and lost.
const queueSize = 1024

// Start runs the workers that start queued workflows; they stop when ctx
// ends, after draining what was accepted.
func (c *Commands) Start(ctx context.Context, workers int) {
	c.queue = make(chan startJob, queueSize)
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
		case job := <-c.queue:
			c.start(context.WithoutCancel(ctx), job)
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
		case job := <-c.queue:
			c.start(ctx, job)
		default:
			return
		}
	}
}

func (c *Commands) start(ctx context.Context, job startJob) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := c.Triage.ReportTriage(ctx, job.in)
	if err == nil {
		return
	}
	c.logger().Error("starting triage failed", "dataset", job.in.Dataset.Name, "error", err)
	msg := &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral,
		Text: fmt.Sprintf("Triage of %s could not be started: %v. Try again, or run `dre triage start %s` from a terminal.", job.in.Dataset.Name, err, job.in.Dataset.Name)}
	if job.responseURL != "" {
		if ferr := c.followUp(ctx, job.responseURL, msg); ferr != nil {
			c.logger().Error("follow-up to Slack failed", "error", ferr)
		}
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

// enqueue accepts a start, or reports that the queue is full.
func (c *Commands) enqueue(job startJob) error {
	select {
	case c.queue <- job:
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
