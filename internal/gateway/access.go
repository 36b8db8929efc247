package gateway

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

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
// answer; a rejected decision (self-approval, a stranger, a bad
// signature) is the error. A request that has just started may still be
// fetching the worker's policy: the decision is then sent again for a few
// seconds.
func (t TemporalAccess) DecideAccess(ctx context.Context, workflowID, update string, d workflows.AccessDecision) (string, error) {
	for attempt := 0; ; attempt++ {
		answer, err := t.decideOnce(ctx, workflowID, update, d)
		var app *temporal.ApplicationError
		if attempt >= policyLoadingRetries || !errors.As(err, &app) || app.Type() != workflows.ErrPolicyLoading {
			return answer, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(policyLoadingWait):
		}
	}
}

// A request fetches the worker's policy in a local activity, well within
// policyLoadingRetries × policyLoadingWait.
const (
	policyLoadingRetries = 40
	policyLoadingWait    = 250 * time.Millisecond
)

func (t TemporalAccess) decideOnce(ctx context.Context, workflowID, update string, d workflows.AccessDecision) (string, error) {
	h, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: update, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{d},
	})
	var answer string
	if err == nil {
		err = h.Get(ctx, &answer)
	}
	return answer, err
}
