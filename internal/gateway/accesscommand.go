package gateway

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// accessUsage is the help of /dre access.
const accessUsage = "Usage:\n" +
	"• `/dre access request <dataset> [columns] <duration> [for triage/<dataset>] <reason>` — e.g. `/dre access request customers email,phone 4h refund ticket 4711`; with `for triage/orders` access ends when that incident resolves\n" +
	"• `/dre access approve|deny|revoke <request-id> [note]` — the request ID is in the approvers' message"

// access runs /dre access: a request is validated here and queued; a
// decision is queued and its outcome reaches the user through response_url.
func (c *Commands) access(cmd slack.SlashCommand, args []string) slack.Msg {
	if c.Access == nil {
		return ephemeral("Access requests are not enabled on this gateway.")
	}
	if len(args) == 0 {
		return ephemeral("%s", accessUsage)
	}
	switch sub := strings.ToLower(args[0]); sub {
	case "request":
		return c.accessRequest(cmd, args[1:])
	case workflows.AccessApproveUpdate, workflows.AccessDenyUpdate, workflows.AccessRevokeUpdate:
		return c.accessDecide(cmd, sub, args[1:])
	default:
		return ephemeral("Unknown `/dre access %s`.\n%s", sub, accessUsage)
	}
}

func (c *Commands) accessRequest(cmd slack.SlashCommand, args []string) slack.Msg {
	in, problem := parseAccessRequest(c.Catalog, args)
	if problem != "" {
		return ephemeral("%s\n%s", problem, accessUsage)
	}
	principal, err := c.requesterPrincipal(cmd.UserID, in.Dataset.Warehouse)
	if err != nil {
		return ephemeral("%s", capitalize(err.Error()))
	}
	in.Requester, in.Principal = cmd.UserID, principal
	if err := in.Validate(); err != nil {
		return ephemeral("%s", capitalize(err.Error()))
	}
	err = c.enqueue(func(ctx context.Context) {
		id, err := c.Access.RequestAccess(ctx, in)
		if err != nil {
			c.tell(ctx, cmd.ResponseURL, "Your access request for %s could not be started: %v", in.Dataset.Name, err)
			return
		}
		c.tell(ctx, cmd.ResponseURL, "Access request `%s` is waiting for an approver (%s). Watch it: %s", id, strings.Join(in.Dataset.PII.Approvers, ", "), c.link(id))
	})
	if err != nil {
		return ephemeral("%s", err.Error())
	}
	return ephemeral("Requesting %s on *%s* as role `%s` for %s; the approvers are asked in %s.", columnsText(in.Columns), in.Dataset.Name, in.Principal, in.Duration, channelOf(in.Dataset))
}

// parseAccessRequest reads <dataset> [columns] <duration> [for
// triage/<dataset>] <reason>; the problem is "" when the request is well
// formed.
func parseAccessRequest(cat *catalog.Catalog, args []string) (workflows.AccessRequestInput, string) {
	if len(args) < 3 {
		return workflows.AccessRequestInput{}, "Say which dataset, for how long and why."
	}
	ds, err := cat.Lookup(args[0])
	if err != nil {
		return workflows.AccessRequestInput{}, capitalize(err.Error())
	}
	in := workflows.AccessRequestInput{Dataset: ds}
	rest := args[1:]
	if _, err := catalog.ParseDuration(rest[0]); err != nil {
		in.Columns, rest = strings.Split(rest[0], ","), rest[1:]
	}
	if len(rest) < 2 {
		return in, "Say for how long (like 4h or 2d) and why."
	}
	d, err := catalog.ParseDuration(rest[0])
	if err != nil {
		return in, capitalize(err.Error())
	}
	reason := rest[1:]
	if len(reason) >= 2 && strings.EqualFold(reason[0], "for") && strings.HasPrefix(reason[1], "triage/") {
		in.Incident, reason = reason[1], reason[2:]
	}
	if len(reason) == 0 {
		return in, "Say why you need the access."
	}
	in.Duration, in.Reason = d.Duration, strings.Join(reason, " ")
	return in, ""
}

func (c *Commands) accessDecide(cmd slack.SlashCommand, update string, args []string) slack.Msg {
	if len(args) == 0 || !strings.HasPrefix(args[0], "access-request/") {
		return ephemeral("Which request? Give its ID, like `access-request/customers/U123/abc`.\n%s", accessUsage)
	}
	id, d := args[0], workflows.AccessDecision{By: cmd.UserID, Note: strings.Join(args[1:], " "),
		Proof: workflows.Proof{Via: workflows.ViaSlack, SlackUser: cmd.UserID, SlackTeam: cmd.TeamID}}
	err := c.enqueue(func(ctx context.Context) {
		d, err := c.relayed(id, update, d)
		if err != nil {
			c.tell(ctx, cmd.ResponseURL, "Could not %s `%s`: %v", update, id, err)
			return
		}
		answer, err := c.Access.DecideAccess(ctx, id, update, d)
		if err != nil {
			c.tell(ctx, cmd.ResponseURL, "Could not %s `%s`: %v", update, id, err)
			return
		}
		c.tell(ctx, cmd.ResponseURL, "`%s`: %s", id, answer)
	})
	if err != nil {
		return ephemeral("%s", err.Error())
	}
	return ephemeral("Sending %s for `%s`…", update, id)
}

// relayed signs d with the relay key, when the gateway has one.
func (c *Commands) relayed(id, update string, d workflows.AccessDecision) (workflows.AccessDecision, error) {
	if c.Relay == nil {
		return d, nil
	}
	return c.Relay.Decide(id, update, d, time.Now())
}

// requesterPrincipal is who a grant for a Slack user goes to on a
// warehouse: their principal in dre.yaml's people directory, never a name
// derived from their Slack handle, which anyone can change. Unknown
// people, unmapped principals and PUBLIC are refused with what to add.
func (c *Commands) requesterPrincipal(slackUser, warehouse string) (string, error) {
	if c.People == nil {
		return "", fmt.Errorf("access requests from Slack need a people: directory in dre.yaml naming you (slack_user: %s) and your principal on warehouse %s", slackUser, warehouse)
	}
	p, err := c.People.BySlackUser(slackUser)
	if err != nil {
		return "", err
	}
	return c.People.Principal(p.ID, warehouse)
}

func columnsText(cols []string) string {
	if len(cols) == 0 {
		return "SELECT on the whole table"
	}
	return "SELECT on " + strings.Join(cols, ", ")
}
