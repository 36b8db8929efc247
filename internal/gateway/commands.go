package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
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
	// People maps Slack users to their warehouse principals for /dre
	// access; nil refuses access requests from Slack.
	People *people.Directory
	// Recorder counts refused commands and clicks (MetricRefusals); nil
	// counts nothing.
	Recorder client.MetricsHandler
	// Access starts access requests and sends their decisions; nil
	// answers /dre access with "not enabled".
	Access AccessService
	// Relay signs the Slack users' access decisions; nil sends them
	// unsigned, which workers accept only under decisions.allow_unsigned.
	Relay *SlackRelay

	queue    chan job
	starting chan struct{} // a slot per triage report being recorded
	wg       sync.WaitGroup
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
	c.starting = make(chan struct{}, queueSize)
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

// jobTimeout bounds one Temporal call made for a command, so a stuck
// call cannot hold a worker or a slot for ever.
const jobTimeout = 30 * time.Second

// run runs one job with a deadline.
func (c *Commands) run(ctx context.Context, j job) {
	ctx, cancel := context.WithTimeout(ctx, jobTimeout)
	defer cancel()
	j(ctx)
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

// errBusy refuses a command when too many are waiting on Temporal.
var errBusy = errors.New("dre is busy starting other workflows; try again in a minute")

// enqueue accepts a job, or reports that the queue is full.
func (c *Commands) enqueue(j job) error {
	select {
	case c.queue <- j:
		return nil
	default:
		return errBusy
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

// helpText answers /dre help and any command dre does not know.
const helpText = "*dre* — data reliability jobs as durable workflows\n" +
	"• `/dre triage <dataset> [sev1|sev2|sev3|sev4] [description]` — open an incident (or join the open one) and diagnose the dataset\n" +
	"    e.g. `/dre triage orders sev2 dashboard shows no orders since 6am`\n" +
	"• `/dre status [dataset]` — open dre runs, of one dataset or all, with links to the Temporal UI\n" +
	"• `/dre access request <dataset> [columns] <duration> <reason>` — time-bound access to PII, approved by the dataset's approvers\n" +
	"    e.g. `/dre access request customers email 4h refund ticket 4711`\n" +
	"• `/dre help` — this message"

// Run runs one slash command and returns the immediate answer.
func (c *Commands) Run(ctx context.Context, cmd slack.SlashCommand) slack.Msg {
	words := fields(cmd.Text)
	if len(words) == 0 {
		return ephemeral("%s", helpText)
	}
	sub, args := strings.ToLower(words[0]), words[1:]
	if err := c.Authorize.CheckWorkspace(cmd.TeamID); err != nil {
		return ephemeral("%s", capitalize(c.refused(RefusedWorkspace, err).Error()))
	}
	if err := c.Authorize.Check(ctx, sub, cmd.UserID); err != nil {
		return ephemeral("%s", capitalize(c.refused(RefusedNotAllowed, err).Error()))
	}
	switch sub {
	case "help":
		return ephemeral("%s", helpText)
	case "triage":
		return c.triage(cmd, args)
	case "status":
		return c.status(ctx, args)
	case "access":
		return c.access(cmd, args)
	default:
		return ephemeral("Unknown subcommand `%s`.\n%s", sub, helpText)
	}
}

// triage validates the request and records it (signal-with-start) before
// saying it started: a gateway killed after its answer must not lose a
// report it acknowledged. The reply links the run, whose ID is known in
// advance (one incident per dataset).
func (c *Commands) triage(cmd slack.SlashCommand, args []string) slack.Msg {
	if len(args) == 0 {
		return ephemeral("Which dataset? Usage: `/dre triage <dataset> [sev1-4] [description]`; datasets: %s", strings.Join(c.Catalog.Names(), ", "))
	}
	ds, err := c.Catalog.Lookup(args[0])
	var unknown *catalog.UnknownDatasetError
	if errors.As(err, &unknown) {
		return ephemeral("%s", capitalize(unknown.Error()))
	}
	sev, rest := parseSeverity(args[1:])
	report := workflows.TriageReport{
		Reporter: cmd.UserID, Severity: sev, Description: strings.Join(rest, " "),
		Source: "slack", ReportedAt: time.Now().UTC(), ResponseURL: cmd.ResponseURL, Channel: cmd.ChannelID,
	}
	id := workflows.TriageWorkflowID(ds.Name)
	switch confirmed, err := c.recordTriage(workflows.TriageInput{Dataset: ds, Report: report}, cmd.ResponseURL); {
	case err != nil:
		return ephemeral("Triage of %s could not be started: %v. Try again, or run `dre triage start %s` from a terminal.", ds.Name, err, ds.Name)
	case !confirmed:
		return ephemeral("Triage of *%s* is taking longer than usual to record; it goes on, and you will hear here if it fails. Check `/dre status %s` before reporting again.\nWatch it: %s",
			ds.Name, ds.Name, c.link(id))
	}
	return ephemeral("Triage of *%s* (sev%d) is starting; if an incident is open, your report joins it. Findings follow in %s.\nWatch it: %s",
		ds.Name, effectiveSeverity(sev), channelOf(ds), c.link(id))
}

// parseSeverity takes a leading sevN (or pN) off the words; 0 when absent.
func parseSeverity(words []string) (int, []string) {
	if len(words) == 0 {
		return 0, words
	}
	w := strings.ToLower(words[0])
	for _, prefix := range []string{"sev", "p"} {
		if n, err := strconv.Atoi(strings.TrimPrefix(w, prefix)); err == nil && strings.HasPrefix(w, prefix) && n >= 1 && n <= 4 {
			return n, words[1:]
		}
	}
	return 0, words
}

// effectiveSeverity is what the workflow uses when none was given.
func effectiveSeverity(sev int) int {
	if sev == 0 {
		return 3
	}
	return sev
}

func channelOf(ds catalog.Dataset) string {
	if ds.Owner.SlackChannel != "" {
		return ds.Owner.SlackChannel
	}
	return "the incident channel"
}

// status lists open runs with links.
func (c *Commands) status(ctx context.Context, args []string) slack.Msg {
	dataset := ""
	if len(args) > 0 && strings.Contains(args[0], "/") {
		return c.statusOfRun(ctx, args[0])
	}
	if len(args) > 0 {
		if _, err := c.Catalog.Lookup(args[0]); err != nil {
			return ephemeral("%s", capitalize(err.Error()))
		}
		dataset = args[0]
	}
	runs, err := c.Runs.OpenRuns(ctx, dataset)
	if err != nil {
		return ephemeral("Could not list runs: %v", err)
	}
	if len(runs) == 0 {
		return ephemeral("No open dre runs%s.", forDataset(dataset))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Open dre runs%s:\n", forDataset(dataset))
	for _, r := range runs {
		fmt.Fprintf(&b, "• <%s|%s> — %s, %s\n", c.link(r.WorkflowID), r.WorkflowID, r.Kind, orDash(r.Status))
	}
	return ephemeral("%s", strings.TrimSuffix(b.String(), "\n"))
}

func forDataset(d string) string {
	if d == "" {
		return ""
	}
	return " of " + d
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// statusOfRun answers /dre status <workflow ID>, such as triage/orders.
func (c *Commands) statusOfRun(ctx context.Context, id string) slack.Msg {
	runs, err := c.Runs.OpenRuns(ctx, "")
	if err != nil {
		return ephemeral("Could not list runs: %v", err)
	}
	for _, r := range runs {
		if r.WorkflowID == id {
			return ephemeral("<%s|%s> — %s of %s, %s", c.link(id), id, r.Kind, orDash(r.Dataset), orDash(r.Status))
		}
	}
	return ephemeral("%s is not running; its history is at %s", id, c.link(id))
}
