package gateway

import (
	"context"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/workflows"
)

// AccessService starts access requests and sends them decisions.
type AccessService interface {
	RequestAccess(ctx context.Context, in workflows.AccessRequestInput) (workflowID string, err error)
	DecideAccess(ctx context.Context, workflowID, update string, d workflows.AccessDecision) (string, error)
}

// TemporalAccess runs access requests on a Temporal cluster; the CLI and
// the gateway share it.
type TemporalAccess struct {
	Client    client.Client
	TaskQueue string
	// NewID makes the unique part of a request's workflow ID; nil uses the
	// time in base 36, unique enough for one person's requests.
	NewID func() string
}

// RequestAccess starts access-request/<dataset>/<requester>/<id>.
func (t TemporalAccess) RequestAccess(ctx context.Context, in workflows.AccessRequestInput) (string, error) {
	newID := t.NewID
	if newID == nil {
		newID = func() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }
	}
	id := workflows.AccessRequestWorkflowID(in.Dataset.Name, in.Requester, newID())
	_, err := workflows.StartAccessRequest(ctx, t.Client, t.TaskQueue, id, in)
	return id, err
}

// DecideAccess sends approve, deny or revoke and returns the workflow's
// answer; a rejected decision (self-approval, a stranger) is the error.
func (t TemporalAccess) DecideAccess(ctx context.Context, workflowID, update string, d workflows.AccessDecision) (string, error) {
	h, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: update, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{d},
	})
	var answer string
	if err == nil {
		err = h.Get(ctx, &answer)
	}
	return answer, err
}
