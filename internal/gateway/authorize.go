package gateway

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Authorizer decides who may run which /dre subcommand. Allow maps a
// subcommand to Slack user IDs (U..., W...) and user group IDs (S...); a
// subcommand not listed is open to everyone, so reporting trouble never
// needs a permission.
type Authorizer struct {
	Allow map[string][]string
	// Workspaces are the Slack team IDs whose users may run commands and
	// click buttons (slack.workspaces); empty accepts any workspace.
	Workspaces []string
	// Groups lists a user group's members (usergroups.users.list).
	Groups func(ctx context.Context, group string) ([]string, error)

	mu    sync.Mutex
	cache map[string]groupMembers
}

// groupMembers is a cached group lookup; groups change rarely, and each
// lookup is a Slack API call on the path of a command.
type groupMembers struct {
	users []string
	at    time.Time
}

const groupCacheTTL = 5 * time.Minute

// Check returns nil when user may run sub, or an error saying who may.
func (a *Authorizer) Check(ctx context.Context, sub, user string) error {
	if allowed, ok := a.permits(ctx, sub, user); !ok {
		return fmt.Errorf("you may not run `/dre %s`; it is limited to %s (slack.allow.%s in dre.yaml)", sub, strings.Join(mentions(allowed), ", "), sub)
	}
	return nil
}

// CheckWorkspace refuses a request from a Slack workspace dre.yaml does
// not name: a Slack Connect user of another workspace is a stranger, even
// in a shared channel.
func (a *Authorizer) CheckWorkspace(team string) error {
	if a == nil || len(a.Workspaces) == 0 || slices.Contains(a.Workspaces, team) {
		return nil
	}
	return fmt.Errorf("dre takes commands and clicks only from the workspaces listed in slack.workspaces in dre.yaml; workspace %s is not one of them", orDash(team))
}

// CheckButton is Check for a button whose clicks slack.allow.<key> limits.
func (a *Authorizer) CheckButton(ctx context.Context, key, label, user string) error {
	if allowed, ok := a.permits(ctx, key, user); !ok {
		return fmt.Errorf("you may not click %s; it is limited to %s (slack.allow.%s in dre.yaml)", label, strings.Join(mentions(allowed), ", "), key)
	}
	return nil
}

// permits reports whether the allow list of key admits user, directly or
// through a user group, and returns the list.
func (a *Authorizer) permits(ctx context.Context, key, user string) ([]string, bool) {
	allowed, listed := a.allowList(key)
	if !listed || slices.Contains(allowed, user) {
		return allowed, true
	}
	for _, id := range allowed {
		if strings.HasPrefix(id, "S") && slices.Contains(a.members(ctx, id), user) {
			return allowed, true
		}
	}
	return allowed, false
}

func (a *Authorizer) allowList(sub string) ([]string, bool) {
	if a == nil {
		return nil, false
	}
	allowed, listed := a.Allow[sub]
	return allowed, listed
}

// members returns a group's members, from the cache when fresh. A failed
// lookup counts as no members: access is denied, never granted, on error.
func (a *Authorizer) members(ctx context.Context, group string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if m, ok := a.cache[group]; ok && time.Since(m.at) < groupCacheTTL {
		return m.users
	}
	if a.Groups == nil {
		return nil
	}
	users, err := a.Groups(ctx, group)
	if err != nil {
		return nil
	}
	if a.cache == nil {
		a.cache = map[string]groupMembers{}
	}
	a.cache[group] = groupMembers{users: users, at: time.Now()}
	return users
}

// GroupsOf returns those of groups (Slack user group IDs) that user is a
// member of, sorted, from the cache when fresh. A failed lookup counts as
// not a member.
func (a *Authorizer) GroupsOf(ctx context.Context, user string, groups []string) []string {
	var in []string
	for _, g := range groups {
		if slices.Contains(a.members(ctx, g), user) {
			in = append(in, g)
		}
	}
	slices.Sort(in)
	return in
}

// mentions renders IDs as Slack mentions: <@U1> for users, <!subteam^S1> for groups.
func mentions(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if strings.HasPrefix(id, "S") {
			out[i] = "<!subteam^" + id + ">"
		} else {
			out[i] = "<@" + id + ">"
		}
	}
	return out
}
