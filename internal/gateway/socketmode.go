package gateway

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode serves the same commands and buttons as /slack/commands
// and /slack/interactions over Slack's Socket Mode, so no public endpoint
// is needed: api must carry the app-level token (slack.OptionAppLevelToken).
// Slack authenticates the WebSocket itself, so there is no signature to
// check. It returns when ctx ends or the connection fails for good.
func RunSocketMode(ctx context.Context, api *slack.Client, cmds *Commands) error {
	sm := socketmode.New(api)
	go serveSocketEvents(ctx, sm, cmds)
	return sm.RunContext(ctx)
}

// serveSocketEvents acknowledges each request with the same answer the
// HTTP routes give, within Slack's three seconds.
func serveSocketEvents(ctx context.Context, sm *socketmode.Client, cmds *Commands) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-sm.Events:
			handleSocketEvent(ctx, sm, cmds, ev)
		}
	}
}

func handleSocketEvent(ctx context.Context, sm *socketmode.Client, cmds *Commands, ev socketmode.Event) {
	if ev.Request == nil {
		return // connection life-cycle events carry no request
	}
	switch data := ev.Data.(type) {
	case slack.SlashCommand:
		reply := cmds.Run(ctx, data)
		_ = sm.Ack(*ev.Request, reply)
	case slack.InteractionCallback:
		if data.Type == slack.InteractionTypeBlockActions {
			for _, a := range data.ActionCallback.BlockActions {
				cmds.pressButton(a.ActionID, a.Value, clicker{user: data.User.ID, team: data.Team.ID}, data.ResponseURL)
			}
		}
		_ = sm.Ack(*ev.Request)
	default:
		_ = sm.Ack(*ev.Request)
	}
}
