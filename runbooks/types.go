package runbooks

import "fmt"

// Runbook is one parsed runbook file. It is plain data: the interpreter
// workflow carries it in its input, so that a run replays the definition
// it started with even after the file changes. The json tags match the
// yaml ones.
type Runbook struct {
	Name        string  `yaml:"name" json:"name"`
	Description string  `yaml:"description" json:"description,omitempty"`
	Inputs      []Input `yaml:"inputs" json:"inputs,omitempty"`
	Steps       []Step  `yaml:"steps" json:"steps"`
	Source      Source  `yaml:"-" json:"source"`

	// where locates the key paths of a parsed file for Lint. It is not
	// part of the definition and does not travel with it.
	where *positions
	// draft holds the structural problems of a runbook LoadForLint read
	// although its file did not parse; nil for every runbook that can run.
	draft *draft
}

// Source says where a runbook was read from and which version it is.
type Source struct {
	File string `json:"file"`
	// Hash is the hex SHA-256 of the runbook's canonical JSON (see Hash);
	// runs record it in the DreRunbookHash search attribute.
	Hash string `json:"hash"`
}

// Input is a typed parameter of a runbook. Default is the value as
// written in the file; Type says how to read it.
type Input struct {
	Name        string    `yaml:"name" json:"name"`
	Type        InputType `yaml:"type" json:"type"`
	Default     string    `yaml:"default" json:"default,omitempty"`
	Required    bool      `yaml:"required" json:"required,omitempty"`
	Description string    `yaml:"description" json:"description,omitempty"`
}

// Step is one step of a runbook. Exactly one of the kind fields (Check
// through Parallel) is set, and Kind names it.
type Step struct {
	ID      string            `yaml:"id" json:"id"`
	Name    string            `yaml:"name" json:"name,omitempty"`
	Kind    StepKind          `yaml:"-" json:"kind"`
	When    string            `yaml:"when" json:"when,omitempty"`
	Timeout string            `yaml:"timeout" json:"timeout,omitempty"`
	Retries int               `yaml:"retries" json:"retries,omitempty"`
	Outputs map[string]string `yaml:"outputs" json:"outputs,omitempty"`
	// OnFailure is written as stop, continue or {steps: [...], then: ...}.
	OnFailure OnFailure `yaml:"on_failure" json:"on_failure"`

	Check    *CheckStep    `yaml:"check" json:"check,omitempty"`
	SQL      *SQLStep      `yaml:"sql" json:"sql,omitempty"`
	Notify   *NotifyStep   `yaml:"notify" json:"notify,omitempty"`
	Page     *PageStep     `yaml:"page" json:"page,omitempty"`
	Approve  *ApproveStep  `yaml:"approve" json:"approve,omitempty"`
	Wait     *WaitStep     `yaml:"wait" json:"wait,omitempty"`
	Backfill *BackfillStep `yaml:"backfill" json:"backfill,omitempty"`
	Call     *CallStep     `yaml:"runbook" json:"runbook,omitempty"`
	Parallel *ParallelStep `yaml:"parallel" json:"parallel,omitempty"`

	// Pos is where the step starts in its file, for messages at run time.
	Pos Position `yaml:"-" json:"pos"`
}

// Position is a 1-based line and column in a runbook file.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// OnFailure says what happens when a step fails after its retries.
type OnFailure struct {
	Action FailureAction `json:"action"`
	// Steps run when Action is FailureSteps; Then says what happens after
	// them: stop (the run fails) or continue.
	Steps []Step        `json:"steps,omitempty"`
	Then  FailureAction `json:"then,omitempty"`
}

// failureBlock is the mapping form of on_failure: {steps: [...], then: ...}.
type failureBlock struct {
	Steps []Step        `yaml:"steps"`
	Then  FailureAction `yaml:"then"`
}

// CheckStep runs a named check or a SQL assertion on a dataset. Check is
// freshness, volume, completeness, custom (SQL plus Expect) or the name of
// one of the dataset's SLOs.
type CheckStep struct {
	Dataset string `yaml:"dataset" json:"dataset"`
	Check   string `yaml:"check" json:"check"`
	SQL     string `yaml:"sql" json:"sql,omitempty"`
	Expect  string `yaml:"expect" json:"expect,omitempty"`
}

// SQLStep runs a statement on a warehouse, named directly or through a
// dataset. Params are expressions bound to $1, $2, ...
type SQLStep struct {
	Warehouse string   `yaml:"warehouse" json:"warehouse,omitempty"`
	Dataset   string   `yaml:"dataset" json:"dataset,omitempty"`
	Statement string   `yaml:"statement" json:"statement"`
	Params    []string `yaml:"params" json:"params,omitempty"`
}

// NotifyStep posts a templated message to a Slack channel.
type NotifyStep struct {
	Channel string `yaml:"channel" json:"channel"`
	Text    string `yaml:"text" json:"text"`
}

// PageStep opens a PagerDuty incident.
type PageStep struct {
	Service  string   `yaml:"service" json:"service"`
	Severity Severity `yaml:"severity" json:"severity"`
	Summary  string   `yaml:"summary" json:"summary"`
}

// ApproveStep waits for one of Approvers to approve or reject, and takes
// Default when Timeout passes first.
type ApproveStep struct {
	Approvers []string `yaml:"approvers" json:"approvers"`
	Timeout   string   `yaml:"timeout" json:"timeout"`
	Default   Decision `yaml:"default" json:"default"`
	Prompt    string   `yaml:"prompt" json:"prompt,omitempty"`
}

// WaitStep waits for Duration, or polls Until every Every until it passes
// (bounded by the step's timeout).
type WaitStep struct {
	Duration string     `yaml:"duration" json:"duration,omitempty"`
	Until    *CheckStep `yaml:"until" json:"until,omitempty"`
	Every    string     `yaml:"every" json:"every,omitempty"`
}

// BackfillStep starts a child backfill of Dataset; From and To are
// expressions giving YYYY-MM-DD dates.
type BackfillStep struct {
	Dataset string `yaml:"dataset" json:"dataset"`
	From    string `yaml:"from" json:"from"`
	To      string `yaml:"to" json:"to"`
}

// CallStep runs another runbook; Inputs maps its input names to
// expressions.
type CallStep struct {
	Runbook string            `yaml:"name" json:"name"`
	Inputs  map[string]string `yaml:"inputs" json:"inputs,omitempty"`
}

// ParallelStep runs branches of steps at the same time; it fails when one
// of them fails.
type ParallelStep struct {
	Branches [][]Step `yaml:"branches" json:"branches"`
}

// kindsSet lists the kinds whose fields are set on s, in declaration order.
func (s *Step) kindsSet() []StepKind {
	set := []bool{s.Check != nil, s.SQL != nil, s.Notify != nil, s.Page != nil, s.Approve != nil,
		s.Wait != nil, s.Backfill != nil, s.Call != nil, s.Parallel != nil}
	var kinds []StepKind
	for i, k := range StepKinds() {
		if set[i] {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// Label is how the step is shown: its name, or its ID without one.
func (s *Step) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// eachStep calls fn for every step of steps and, depth first, the steps
// nested in their on_failure and parallel branches, with their key paths.
func eachStep(path string, steps []Step, fn func(path string, s *Step)) {
	for i := range steps {
		s := &steps[i]
		spath := fmt.Sprintf("%s[%d]", path, i)
		fn(spath, s)
		eachStep(spath+".on_failure.steps", s.OnFailure.Steps, fn)
		if s.Parallel != nil {
			for b, branch := range s.Parallel.Branches {
				eachStep(fmt.Sprintf("%s.parallel.branches[%d]", spath, b), branch, fn)
			}
		}
	}
}
