package workflows

import (
	"fmt"
	"strings"
	"time"
)

// summaryText is the closing message of the thread.
func summaryText(tl TriageTimeline) string {
	var b strings.Builder
	appendf(&b, ":white_check_mark: *Resolved* by %s. sev%d on %s, %d page(s), %d escalation(s).\n",
		slackMention(tl.ResolvedBy), tl.Severity, tl.Dataset, tl.Pages, tl.Escalations)
	appendf(&b, "• Detected: %s\n", timelineStamp(tl.DetectedAt))
	appendf(&b, "• Acknowledged: %s%s\n", timelineStamp(tl.AcknowledgedAt), sinceDetected(tl.TimeToAck, "time to ack"))
	appendf(&b, "• Mitigated: %s\n", timelineStamp(tl.MitigatedAt))
	appendf(&b, "• Resolved: %s%s", timelineStamp(tl.ResolvedAt), sinceDetected(tl.TimeToResolve, "time to resolve"))
	return b.String()
}

// postmortem is a Markdown skeleton prefilled with what the workflow saw;
// the humans fill in the why.
func postmortem(tl TriageTimeline) string {
	var b strings.Builder
	appendf(&b, "# Postmortem: sev%d incident on %s\n\n", tl.Severity, tl.Dataset)
	appendf(&b, "- Workflow: `%s`\n- Reported by: %s\n- Acknowledged by: %s\n- Resolved by: %s\n",
		tl.WorkflowID, strings.Join(tl.Reporters, ", "), orNoneText(tl.AcknowledgedBy), orNoneText(tl.ResolvedBy))
	appendf(&b, "- Time to ack: %s\n- Time to resolve: %s\n\n", roundedDuration(tl.TimeToAck), roundedDuration(tl.TimeToResolve))
	b.WriteString("## Summary\n\n_What happened, in two sentences._\n\n## Findings\n\n")
	for _, f := range tl.Findings {
		if !f.Skipped {
			appendf(&b, "- %s **%s**: %s\n", findingIcon(f), f.Check, f.Summary)
		}
	}
	b.WriteString("\n## Timeline (UTC)\n\n| time | event | by | details |\n|---|---|---|---|\n")
	for _, e := range tl.Events {
		if e.Kind != "finding" {
			appendf(&b, "| %s | %s | %s | %s |\n", e.At.UTC().Format(time.DateTime), e.Kind, e.By, strings.ReplaceAll(e.Text, "|", "\\|"))
		}
	}
	b.WriteString("\n## Root cause\n\n_Why did it happen?_\n\n## Impact\n\n_Who and what was affected, for how long?_\n\n")
	b.WriteString("## Action items\n\n- [ ] _Prevent it:_\n- [ ] _Detect it sooner:_\n")
	return b.String()
}

func timelineStamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.DateTime) + " UTC"
}

func sinceDetected(d time.Duration, what string) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s %s)", what, d.Round(time.Second))
}

func roundedDuration(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return d.Round(time.Second).String()
}

// appendf formats into a builder. It stands in for fmt.Fprintf, which
// workflowcheck cannot prove free of I/O because it takes any io.Writer.
func appendf(b *strings.Builder, format string, args ...any) {
	b.WriteString(fmt.Sprintf(format, args...))
}
