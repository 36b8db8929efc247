package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// The PII scan's handlers: TagUpdate is the approval of "tag as PII";
// ReportUpdate answers with the report once the scan is done, which is
// how `dre pii scan` waits for it (update-with-start).
const (
	PIIScanTagUpdate    = "tag"
	PIIScanReportUpdate = "report"
)

// PII scan statuses, also written to the DreStatus search attribute.
const (
	PIIScanScanning = "scanning"
	PIIScanAwaiting = "awaiting-approval"
	PIIScanDone     = "done"
)

// PIIScanAllScope is the scope of a scan of the whole catalog.
const PIIScanAllScope = "all"

// Defaults of PIIScanInput.
const (
	DefaultPIISampleLimit     = 200
	DefaultPIIApprovalTimeout = 7 * 24 * time.Hour
)

// PIIScanInput starts a scan of some catalog datasets.
type PIIScanInput struct {
	// Scope names the scan in its workflow ID: PIIScanAllScope or the
	// dataset names (see PIIScanScope).
	Scope    string            `json:"scope"`
	Datasets []catalog.Dataset `json:"datasets"`
	// SampleLimit is the values sampled per column; 0 means 200.
	SampleLimit int `json:"sampleLimit,omitempty"`
	// Threshold is the match ratio that flags a column; 0 means 0.8.
	Threshold float64 `json:"threshold,omitempty"`
	// ApprovalTimeout is how long "tag as PII" stays on offer; 0 means 7
	// days. The stated default when nobody approves: the column stays
	// untagged and the report says so.
	ApprovalTimeout time.Duration `json:"approvalTimeout,omitempty"`
	// ReportChannel receives the whole report; without it each owner's
	// channel receives the part about its datasets.
	ReportChannel string `json:"reportChannel,omitempty"`
}

// PIIScanScope is the scope of a scan of datasets: PIIScanAllScope for
// none (the whole catalog), else their sorted names joined by commas.
func PIIScanScope(datasets []string) string {
	if len(datasets) == 0 {
		return PIIScanAllScope
	}
	names := slices.Sorted(slices.Values(datasets))
	return strings.Join(slices.Compact(names), ",")
}

func (in PIIScanInput) validate() error {
	if in.Scope == "" {
		return errors.New("a PII scan needs a scope (PIIScanScope of its datasets)")
	}
	if len(in.Datasets) == 0 {
		return errors.New("a PII scan needs at least one catalog dataset; is the catalog empty?")
	}
	if in.SampleLimit < 0 || in.SampleLimit > activities.MaxPIISample {
		return fmt.Errorf("sample limit %d: use 1 to %d values per column", in.SampleLimit, activities.MaxPIISample)
	}
	if in.Threshold < 0 || in.Threshold > 1 {
		return fmt.Errorf("threshold %v: use a match ratio between 0 and 1, such as 0.8", in.Threshold)
	}
	for _, d := range in.Datasets {
		if d.Name == "" || d.Warehouse == "" || d.Table == "" {
			return fmt.Errorf("dataset %q needs a name, a warehouse and a table", d.Name)
		}
	}
	return nil
}

// PIITagRequest approves tagging one column found holding PII.
type PIITagRequest struct {
	Dataset string `json:"dataset"`
	Column  string `json:"column"`
	// Kind is the tag; "" means the kind the scan found.
	Kind catalog.PIIKind `json:"kind,omitempty"`
	// Approver must be one of the dataset's pii.approvers in the catalog.
	Approver string `json:"approver"`
}

// PIITagged is an approved and verified tag.
type PIITagged struct {
	Dataset  string          `json:"dataset"`
	Column   string          `json:"column"`
	Kind     catalog.PIIKind `json:"kind"`
	Approver string          `json:"approver"`
	At       time.Time       `json:"at"`
}

// PIIScanFailure is a dataset the scan could not read.
type PIIScanFailure struct {
	Dataset string `json:"dataset"`
	Error   string `json:"error"`
}

// PIIScanReport is the scan as it stands: the answer to the status query
// and the report update, and the workflow's result.
type PIIScanReport struct {
	WorkflowID string                      `json:"workflowId"`
	Scope      string                      `json:"scope"`
	Status     string                      `json:"status"`
	StartedAt  time.Time                   `json:"startedAt"`
	Deadline   time.Time                   `json:"deadline,omitzero"`
	Datasets   []activities.PIIDatasetScan `json:"datasets,omitempty"`
	Failed     []PIIScanFailure            `json:"failed,omitempty"`
	Tagged     []PIITagged                 `json:"tagged,omitempty"`
	// Markdown renders all of the above for people.
	Markdown string `json:"markdown"`
}
