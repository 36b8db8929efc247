package runbooks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dre-dev/dre/internal/catalog"
)

// checkKinds are the checks every dataset has; any other name is one of
// the dataset's SLOs, which only the catalog knows.
var checkKinds = []string{"freshness", "volume", "completeness", "custom", "published"}

// kind checks the fields of a step's kind.
func (v *validator) kind(path string, s *Step, k StepKind) {
	kpath := path + "." + string(k)
	switch k {
	case KindCheck:
		v.check(kpath, s.Check)
	case KindSQL:
		v.sql(kpath, s.SQL)
	case KindNotify:
		v.required(kpath+".channel", s.Notify.Channel, "notify needs a channel: #name, a channel ID, or owner")
		v.required(kpath+".text", s.Notify.Text, "notify needs a text")
	case KindPage:
		v.page(kpath, s.Page)
	case KindApprove:
		v.approve(kpath, s)
	case KindWait:
		v.wait(kpath, s)
	case KindBackfill:
		v.required(kpath+".dataset", s.Backfill.Dataset, "backfill needs a dataset")
		v.required(kpath+".from", s.Backfill.From, "backfill needs from: an expression giving the first date")
		v.required(kpath+".to", s.Backfill.To, "backfill needs to: an expression giving the date after the last")
	case KindRunbook:
		v.required(kpath+".name", s.Call.Runbook, "runbook needs the name of the runbook to run")
	case KindParallel:
		v.parallel(kpath, s.Parallel)
	}
}

// check checks a check step, or the until of a wait step.
func (v *validator) check(path string, c *CheckStep) {
	v.required(path+".dataset", c.Dataset, "check needs a dataset")
	v.required(path+".check", c.Check, "check needs a check: "+quoted(checkKinds)+" or an SLO name")
	switch {
	case c.Check == "custom":
		v.required(path+".sql", c.SQL, "a custom check needs sql returning one row")
		v.required(path+".expect", c.Expect, "a custom check needs expect: an expression over result.row")
	case c.SQL != "":
		v.r.add(path+".sql", "sql is only read by check: custom")
	}
	if c.Check != "" && !slices.Contains(checkKinds, c.Check) {
		// Other names are taken for SLO names, so only a near miss of a
		// built-in check is surely a mistake.
		if s := catalog.Suggest(c.Check, checkKinds); len(s) > 0 && abs(len(s[0])-len(c.Check)) <= 2 {
			v.r.add(path+".check", "unknown check %q; did you mean %q?", c.Check, s[0])
		}
	}
}

// sql checks a sql step.
func (v *validator) sql(path string, s *SQLStep) {
	if (s.Warehouse == "") == (s.Dataset == "") && !v.skip(path) {
		v.r.add(path, "sql needs either warehouse or dataset (whose warehouse it runs on)")
	}
	v.required(path+".statement", s.Statement, "sql needs a statement")
}

// page checks a page step.
func (v *validator) page(path string, p *PageStep) {
	v.required(path+".service", p.Service, "page needs a service: a PagerDuty service ID, or owner")
	v.required(path+".summary", p.Summary, "page needs a summary")
	if p.Severity != "" && !slices.Contains(Severities(), p.Severity) {
		v.r.add(path+".severity", "unknown severity %q; want one of %s", p.Severity, quoted(Severities()))
	}
}

// approve checks an approve step. Its timeout is its own, because it comes
// with the decision taken when it passes.
func (v *validator) approve(path string, s *Step) {
	a := s.Approve
	if len(a.Approvers) == 0 && !v.skip(path+".approvers") {
		v.r.add(path+".approvers", "approve needs approvers: who may decide")
	}
	for i, who := range a.Approvers {
		v.required(fmt.Sprintf("%s.approvers[%d]", path, i), who, "an approver cannot be empty")
	}
	v.required(path+".timeout", a.Timeout, "approve needs a timeout, after which default decides")
	v.duration(path+".timeout", a.Timeout)
	if a.Default != "" && !slices.Contains(Decisions(), a.Default) {
		v.r.add(path+".default", "default must be reject or approve, got %q", a.Default)
	}
	if s.Timeout != "" {
		v.r.add(parentPath(path)+".timeout", "an approve step's timeout goes under approve, next to its default")
	}
}

// wait checks a wait step: a fixed duration, or polling a check until it
// passes, which needs the step's timeout to bound it.
func (v *validator) wait(path string, s *Step) {
	w := s.Wait
	switch {
	case (w.Duration == "") == (w.Until == nil) && !v.skip(path):
		v.r.add(path, "wait needs either duration or until")
	case w.Until != nil:
		v.check(path+".until", w.Until)
		if s.Timeout == "" {
			v.r.add(path+".until", "waiting until a check passes needs a timeout on the step")
		}
	case w.Every != "":
		v.r.add(path+".every", "every is the polling interval of until")
	}
	v.duration(path+".duration", w.Duration)
	v.duration(path+".every", w.Every)
}

// parallel checks that each branch has steps, then the steps.
func (v *validator) parallel(path string, p *ParallelStep) {
	if len(p.Branches) == 0 && !v.skip(path+".branches") {
		v.r.add(path, "parallel needs branches: lists of steps")
	}
	for i, b := range p.Branches {
		bpath := fmt.Sprintf("%s.branches[%d]", path, i)
		if len(b) == 0 && !v.skip(bpath) {
			v.r.add(bpath, "a branch needs at least one step")
		}
		v.steps(bpath, b)
	}
}

// sortedKeys returns m's keys in order, for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// abs is the absolute value of x.
func abs(x int) int { return max(x, -x) }
