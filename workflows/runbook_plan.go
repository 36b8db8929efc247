package workflows

import (
	"fmt"
	"strings"

	"github.com/dre-dev/dre/runbooks"
)

// PlannedStep is one step of a dry run: what it would do, with the
// templates rendered from the inputs (results of earlier steps are not
// known yet, so they render as zero values).
type PlannedStep struct {
	Depth  int
	ID     string
	Name   string
	Kind   runbooks.StepKind
	When   string
	Detail []string
}

// PlanRunbook describes what a run of in would do, running nothing. It
// is not workflow code; `dre runbook run --dry-run` prints it.
func PlanRunbook(in RunbookInput) ([]PlannedStep, error) {
	r, err := buildRun(in, RunbookWorkflowID(in.Runbook.Name, in.Dataset, "dry-run"))
	if err != nil {
		return nil, err
	}
	r.computeZeroOutputs()
	var plan []PlannedStep
	for _, s := range allSteps(in.Runbook.Steps) {
		st := r.byID[s.ID]
		plan = append(plan, PlannedStep{Depth: st.Depth, ID: s.ID, Name: s.Label(), Kind: s.Kind, When: s.When, Detail: r.detail(s)})
	}
	return plan, nil
}

// detail renders what a step would do.
func (r *runbookRun) detail(s *runbooks.Step) []string {
	t := func(text string) string {
		out, err := r.render(text)
		if err != nil {
			return fmt.Sprintf("%s (does not render yet: %v)", text, err)
		}
		return out
	}
	switch {
	case s.Check != nil:
		return checkDetail(s.Check, t)
	case s.SQL != nil:
		where := s.SQL.Warehouse
		if where == "" {
			where = "the warehouse of " + t(s.SQL.Dataset)
		}
		lines := []string{"SQL on " + where + ": " + strings.TrimSpace(t(s.SQL.Statement))}
		if len(s.SQL.Params) > 0 {
			lines = append(lines, "params $1.. = "+strings.Join(s.SQL.Params, ", "))
		}
		return lines
	case s.Notify != nil:
		return []string{"Slack " + r.ownerLabel(t(s.Notify.Channel), func(o ownerInfo) string { return o.SlackChannel }) + ": " + t(s.Notify.Text)}
	case s.Page != nil:
		service := r.ownerLabel(t(s.Page.Service), func(o ownerInfo) string { return o.PagerDutyService })
		return []string{fmt.Sprintf("page %s (%s): %s", service, s.Page.Severity, t(s.Page.Summary))}
	case s.Approve != nil:
		a := s.Approve
		return []string{fmt.Sprintf("approval by %s within %s, else %s: %s", strings.Join(a.Approvers, ", "), t(a.Timeout), a.Default, t(a.Prompt))}
	case s.Wait != nil && s.Wait.Until != nil:
		return append([]string{fmt.Sprintf("poll every %s, for at most %s:", t(s.Wait.Every), t(s.Timeout))}, checkDetail(s.Wait.Until, t)...)
	case s.Wait != nil:
		return []string{"wait " + t(s.Wait.Duration)}
	case s.Backfill != nil:
		return []string{fmt.Sprintf("backfill %s from %s to %s", t(s.Backfill.Dataset), s.Backfill.From, s.Backfill.To)}
	case s.Call != nil:
		var ins []string
		for _, k := range sortedKeys(s.Call.Inputs) {
			ins = append(ins, k+"="+s.Call.Inputs[k])
		}
		return []string{fmt.Sprintf("run runbook %s (%s)", s.Call.Runbook, strings.Join(ins, ", "))}
	case s.Parallel != nil:
		return []string{fmt.Sprintf("%d branches at once", len(s.Parallel.Branches))}
	}
	return nil
}

// ownerLabel shows "owner" with what it stands for.
func (r *runbookRun) ownerLabel(target string, get func(ownerInfo) string) string {
	if target != "owner" {
		return target
	}
	v, err := r.ownerField("", get)
	if err != nil {
		return "owner (unknown: " + failureText(err) + ")"
	}
	return v + " (owner)"
}

func checkDetail(c *runbooks.CheckStep, t func(string) string) []string {
	lines := []string{fmt.Sprintf("%s check of %s", c.Check, t(c.Dataset))}
	if c.SQL != "" {
		lines = append(lines, "SQL: "+strings.TrimSpace(t(c.SQL)))
	}
	if c.Expect != "" {
		lines = append(lines, "expect "+c.Expect)
	}
	return lines
}
