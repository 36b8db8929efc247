package activities

import "strings"

// SlackEscape makes text that a person typed (a triage description, an
// access reason, a deny note, a requester's name) safe to put inside a
// Slack message. Slack's mrkdwn reads <...> as a mention (<!channel>,
// <@U123>) or a link (<http://x|label>); with &, < and > written as
// &amp;, &lt; and &gt;, Slack shows the characters and acts on none of
// them. Apply it to the interpolated value only, never to dre's own markup
// around it, whose links and mentions must keep working.
//
// Workflows call it, so it is a plain loop: strings.Replacer builds its
// table lazily behind a sync.Once, which workflowcheck flags.
func SlackEscape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
