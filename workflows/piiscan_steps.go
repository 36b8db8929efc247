package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// report is the scan as it stands, with its Markdown rendering.
func (s *piiScan) report() PIIScanReport {
	r := PIIScanReport{WorkflowID: s.id, Scope: s.in.Scope, Status: s.status, StartedAt: s.started,
		Deadline: s.deadline, Datasets: s.scans, Failed: s.failed, Tagged: s.tagged}
	r.Markdown = s.markdown(func(string) bool { return true })
	return r
}

// markdown renders the report for the datasets keep accepts, so that each
// owner can be sent only the part about their own tables.
func (s *piiScan) markdown(keep func(dataset string) bool) string {
	var b strings.Builder
	appendf(&b, "# PII scan: %s\n\n", s.in.Scope)
	appendf(&b, "Workflow `%s`, started %s, status **%s**. Up to %d values per column; a column is flagged when %s of them are one kind, or when %s of its rows mention one (free text).\n",
		s.id, timelineStamp(s.started), s.status, s.in.SampleLimit, thresholdText(s.in.Threshold, "80%"), thresholdText(s.in.ContainsThreshold, "20%"))
	var untagged, unconfirmed, likely, unchecked, samples strings.Builder
	for _, d := range s.scans {
		if !keep(d.Dataset) {
			continue
		}
		appendf(&samples, "- %s: %s\n", d.Dataset, orText(d.SampleMethod, "method not reported"))
		for _, c := range d.Untagged {
			appendf(&untagged, "| %s | `%s` | %s %s | %.0f%% of %d | %.2f | %s | %s |\n", d.Dataset, orText(c.Path, c.Column), modeText(c.Mode), c.Found,
				c.Ratio*100, c.Sampled, c.Confidence, orText(strings.Join(c.Reasons, "; "), "-"), s.offerState(d.Dataset, c.Column))
		}
		for _, c := range d.Unconfirmed {
			appendf(&unconfirmed, "| %s | `%s` | %s | %d |\n", d.Dataset, c.Column, c.Tagged, c.Sampled)
		}
		for _, h := range d.Likely {
			appendf(&likely, "| %s | `%s` | %s | %s | %d |\n", d.Dataset, h.Column, h.Kind, h.Reason, h.Sampled)
		}
		if len(d.Unchecked) > 0 {
			appendf(&unchecked, "- %s: %s\n", d.Dataset, strings.Join(d.Unchecked, ", "))
		}
	}
	section(&b, "Untagged PII", "| dataset | column | holds | matched | confidence | why | tag |\n|---|---|---|---|---|---|---|\n", untagged.String(), "None found.")
	section(&b, "Likely PII, check", "Untagged columns whose name or comment suggests PII that the sample did not show (an empty column, or values the sample missed):\n\n| dataset | column | may hold | because | values sampled |\n|---|---|---|---|---|\n", likely.String(), "None.")
	section(&b, "Tagged, but no PII found", "Stale tags, or empty columns: check and untag if the data is gone.\n\n| dataset | column | tagged | values sampled |\n|---|---|---|---|\n", unconfirmed.String(), "None.")
	if unchecked.Len() > 0 {
		section(&b, "Not checked", "Tagged \"other\", a kind no sample can confirm:\n\n", unchecked.String(), "")
	}
	s.failedSection(&b, keep)
	if samples.Len() > 0 {
		section(&b, "Samples", "How each table's rows were chosen:\n\n", samples.String(), "")
	}
	return b.String()
}

// failedSection lists the datasets the scan could not read.
func (s *piiScan) failedSection(b *strings.Builder, keep func(dataset string) bool) {
	var failed strings.Builder
	for _, f := range s.failed {
		if keep(f.Dataset) {
			appendf(&failed, "- %s: %s\n", f.Dataset, f.Error)
		}
	}
	if failed.Len() > 0 {
		section(b, "Could not scan", "", failed.String(), "")
	}
}

// modeText says whether a column is PII or mentions it.
func modeText(mode string) string {
	if mode == "contains" {
		return "mentions"
	}
	return "is"
}

// section writes a heading and its body, or the empty text.
func section(b *strings.Builder, title, intro, body, empty string) {
	appendf(b, "\n## %s\n\n", title)
	if body == "" {
		b.WriteString(empty + "\n")
		return
	}
	b.WriteString(intro + body)
}

// offerState says what became of a "tag as PII" offer.
func (s *piiScan) offerState(dataset, column string) string {
	if t, ok := s.tagOf(dataset, column); ok {
		return fmt.Sprintf("tagged %s, approved by %s", t.Kind, t.Approver)
	}
	if s.status == PIIScanDone {
		return "**not tagged**: no approval before the deadline"
	}
	return "awaiting approval until " + timelineStamp(s.deadline)
}

func thresholdText(t float64, otherwise string) string {
	if t == 0 {
		return otherwise
	}
	return fmt.Sprintf("%.0f%%", t*100)
}

// notifyOwners asks each owner of untagged PII to approve tags, in the
// owner's channel. Datasets without a channel are in the report only.
func (s *piiScan) notifyOwners(ctx workflow.Context) {
	for _, d := range s.scans {
		channel := s.byName[d.Dataset].Owner.SlackChannel
		if len(d.Untagged) == 0 || channel == "" {
			continue
		}
		m := activities.SlackMessage{Channel: channel, Text: s.ownerNotice(d), Actions: tagButtons(workflow.GetInfo(ctx).WorkflowExecution.ID, d)}
		s.keepNotice(d.Dataset, m, s.postMessage(ctx, m))
	}
}

// tagButtons offers a "Tag as PII" button per untagged column; the
// clicker is the approver, whom the tag update's validator checks.
func tagButtons(workflowID string, d activities.PIIDatasetScan) []activities.SlackActions {
	row := activities.SlackActions{}
	seen := map[string]bool{}
	for _, c := range d.Untagged {
		if seen[c.Column] { // one column, several paths or kinds: one tag
			continue
		}
		seen[c.Column] = true
		row.Buttons = append(row.Buttons, activities.SlackButton{
			ActionID: activities.PIIButtonTag, Label: "Tag " + c.Column + " as PII", Style: "primary",
			Value: activities.ButtonValue(workflowID, d.Dataset+"/"+c.Column),
		})
	}
	return []activities.SlackActions{row}
}

func (s *piiScan) ownerNotice(d activities.PIIDatasetScan) string {
	var b strings.Builder
	appendf(&b, ":warning: The PII scan found personal data in untagged columns of *%s* (`%s`):\n", d.Dataset, d.Table)
	for _, c := range d.Untagged {
		appendf(&b, "• `%s` %s %s (%.0f%% of %d sampled values)\n", orText(c.Path, c.Column), modeText(c.Mode), c.Found, c.Ratio*100, c.Sampled)
	}
	approvers := s.approvers(d.Dataset)
	mentions := make([]string, len(approvers))
	for i, a := range approvers {
		mentions[i] = slackMention(a)
	}
	appendf(&b, "A PII approver (%s) can tag one as PII with the buttons below, or:\n`dre pii tag %s %s --workflow %s --as <your person ID> --sign <your key>`\n",
		orText(strings.Join(mentions, ", "), "none listed: add pii.approvers in dre.yaml"), d.Dataset, d.Untagged[0].Column, s.id)
	appendf(&b, "Untagged columns stay untagged after %s.", timelineStamp(s.deadline))
	return b.String()
}

// postReport sends the finished report to the report channel, or each
// owner their part.
func (s *piiScan) postReport(ctx workflow.Context) {
	if s.in.ReportChannel != "" {
		s.post(ctx, s.in.ReportChannel, s.markdown(func(string) bool { return true }))
		return
	}
	withLikely := workflow.GetVersion(ctx, piiLikelyReportChange, workflow.DefaultVersion, 1) >= 1
	byChannel := map[string][]string{}
	var channels []string
	for _, d := range s.in.Datasets {
		if d.Owner.SlackChannel == "" || !s.hasFindings(d.Name, withLikely) {
			continue
		}
		if _, seen := byChannel[d.Owner.SlackChannel]; !seen {
			channels = append(channels, d.Owner.SlackChannel)
		}
		byChannel[d.Owner.SlackChannel] = append(byChannel[d.Owner.SlackChannel], d.Name)
	}
	for _, ch := range channels {
		names := byChannel[ch]
		s.post(ctx, ch, s.markdown(func(n string) bool { return slices.Contains(names, n) }))
	}
}

// piiLikelyReportChange is the GetVersion ID of sending owners the report
// when their datasets have only "likely PII" columns: scans started before
// it posted nothing for those.
const piiLikelyReportChange = "pii-likely-report"

// hasFindings reports whether a dataset has anything an owner should read.
func (s *piiScan) hasFindings(dataset string, withLikely bool) bool {
	for _, d := range s.scans {
		if d.Dataset == dataset {
			return len(d.Untagged) > 0 || len(d.Unconfirmed) > 0 || (withLikely && len(d.Likely) > 0)
		}
	}
	return slices.ContainsFunc(s.failed, func(f PIIScanFailure) bool { return f.Dataset == dataset })
}

// post sends one Slack message; a failure is logged, not fatal, since the
// report is also the workflow's result.
func (s *piiScan) post(ctx workflow.Context, channel, text string) {
	s.postActions(ctx, channel, text, nil)
}

// postActions posts a message with rows of buttons under it.
func (s *piiScan) postActions(ctx workflow.Context, channel, text string, rows []activities.SlackActions) {
	s.postMessage(ctx, activities.SlackMessage{Channel: channel, Text: text, Actions: rows})
}

// postMessage posts m and returns where it went; a failure is logged.
func (s *piiScan) postMessage(ctx workflow.Context, m activities.SlackMessage) activities.SlackPosted {
	posted, err := sendSlack(ctx, "post the PII scan to "+m.Channel, m)
	if err != nil {
		workflow.GetLogger(ctx).Warn("PII scan message not posted", "channel", m.Channel, "error", err)
	}
	return posted
}
