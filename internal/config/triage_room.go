package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// roomPrefix keeps a room's prefix within Slack's channel name rules,
// leaving most of the 80 characters to the dataset and the day.
var roomPrefix = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,19}$`)

// checkRoom checks a triage policy's room: severities Slack can name,
// a prefix Slack accepts, and invitees that are Slack users.
func (d *decoder) checkRoom(path string, r IncidentRoom) {
	if len(r.Severities) == 0 {
		d.addPath(path+".severities", "room.severities is empty; list the severities that get a room, like [sev1, sev2], or remove room:")
	}
	for i, sev := range r.Severities {
		if !slices.Contains(SeverityKeys, sev) {
			d.addPath(fmt.Sprintf("%s.severities[%d]", path, i), fmt.Sprintf("unknown severity %q; use %s", sev, strings.Join(SeverityKeys, ", ")))
		}
	}
	if r.Prefix != "" && !roomPrefix.MatchString(r.Prefix) {
		d.addPath(path+".prefix", fmt.Sprintf("prefix %q must be lowercase letters, digits, - or _ as Slack channel names are, at most 20 characters, like inc-", r.Prefix))
	}
	for i, u := range r.Invite {
		if !slackUser.MatchString(u) {
			d.addPath(fmt.Sprintf("%s.invite[%d]", path, i), fmt.Sprintf("%q is not a Slack user ID; use one like U0123ABCD (groups and @here cannot be invited to a channel)", u))
		}
	}
}
