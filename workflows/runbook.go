package workflows

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// RunbookInput asks for one run of a runbook. It carries everything the
// run reads, so that it replays the very definition and catalog entries
// it started with: the parsed runbook, its inputs as text (defaults
// filled, see ResolveRunbookInputs), and the catalog datasets its steps
// name. Runbooks it calls travel in Callees, by name.
type RunbookInput struct {
	Runbook runbooks.Runbook `json:"runbook"`
	// Hash is runbooks.Hash of Runbook, for the DreRunbookHash attribute.
	Hash   string            `json:"hash"`
	Inputs map[string]string `json:"inputs"`
	// Dataset is the target: the value of the first input of type dataset.
	Dataset   string                      `json:"dataset"`
	Datasets  map[string]catalog.Dataset  `json:"datasets"`
	Callees   map[string]runbooks.Runbook `json:"callees,omitempty"`
	Requester string                      `json:"requester,omitempty"`
	// StartFrom, when set, is a top-level step ID: a retry runs it and the
	// steps after it, and takes the results of the steps before it from
	// Prior (the status of the failed run).
	StartFrom string      `json:"startFrom,omitempty"`
	Prior     []StepState `json:"prior,omitempty"`
}

// RunbookApproveUpdate is the update that decides an approve step.
const RunbookApproveUpdate = "approve"

// RunbookApproval is the argument of RunbookApproveUpdate.
type RunbookApproval struct {
	// Step is the ID of the approve step that is waiting.
	Step string `json:"step"`
	// By is the Slack user or group ID deciding; it must be an approver.
	By      string `json:"by"`
	Approve bool   `json:"approve"`
}

// Run statuses, also written to the DreStatus search attribute.
const (
	RunbookRunning = "running"
	RunbookWaiting = "waiting" // an approval is pending
	RunbookOK      = "ok"
	RunbookFailed  = "failed"
)

// ErrRunbookFailed is the error type of a run that a failed step stopped;
// its details hold the RunbookStatus.
const ErrRunbookFailed = "RunbookFailed"

// Step states, as the status query reports them.
const (
	StepPending = "pending"
	StepRunning = "running"
	StepDone    = "done"
	StepFailed  = "failed"
	StepSkipped = "skipped"
)

// RunbookStatus is what the status query and the result report.
type RunbookStatus struct {
	Runbook string `json:"runbook"`
	Hash    string `json:"hash"`
	Dataset string `json:"dataset"`
	Status  string `json:"status"`
	// Steps lists every step, nested ones included, depth first.
	Steps []StepState `json:"steps"`
	// FailedStep is the step whose failure stopped the run.
	FailedStep string `json:"failedStep,omitempty"`
	Error      string `json:"error,omitempty"`
}

// StepState is one step of a run.
type StepState struct {
	ID   string            `json:"id"`
	Name string            `json:"name"`
	Kind runbooks.StepKind `json:"kind"`
	// Depth is 0 for top-level steps, 1 inside a parallel branch or an
	// on_failure list, and so on.
	Depth  int        `json:"depth"`
	State  string     `json:"state"`
	Error  string     `json:"error,omitempty"`
	Result StepResult `json:"result"`
}

// StepResult holds the results a step of each kind reports (see
// runbooks.ResultFields) and its outputs.
type StepResult struct {
	Passed     bool           `json:"passed,omitempty"`
	Value      float64        `json:"value,omitempty"`
	Lag        time.Duration  `json:"lag,omitempty"`
	Rows       int64          `json:"rows,omitempty"`
	NullRate   float64        `json:"nullRate,omitempty"`
	Latest     string         `json:"latest,omitempty"`
	AsOf       string         `json:"asOf,omitempty"`
	Row        map[string]any `json:"row,omitempty"`
	Message    string         `json:"message,omitempty"`
	Channel    string         `json:"channel,omitempty"`
	Incident   string         `json:"incident,omitempty"`
	Approved   bool           `json:"approved,omitempty"`
	By         string         `json:"by,omitempty"`
	TimedOut   bool           `json:"timedOut,omitempty"`
	Polls      int            `json:"polls,omitempty"`
	Run        string         `json:"run,omitempty"`
	Partitions int            `json:"partitions,omitempty"`
	Outputs    map[string]any `json:"outputs,omitempty"`
}
