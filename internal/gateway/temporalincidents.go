package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/workflows"
)

// TemporalIncidents acknowledges and resolves triage workflows with their
// updates, for PagerDuty's webhook and Slack's buttons.
type TemporalIncidents struct {
	Client client.Client
	// Relay signs the PagerDuty users' acks and resolves; nil sends them
	// unsigned, which workers accept only under decisions.allow_unsigned.
	Relay *SlackRelay
}

// Acknowledge sends the ack update for the PagerDuty user agent.
func (t TemporalIncidents) Acknowledge(ctx context.Context, workflowID, agent string) error {
	return t.update(ctx, workflowID, workflows.TriageAckUpdate, agent)
}

// Resolve sends the resolve update for the PagerDuty user agent.
func (t TemporalIncidents) Resolve(ctx context.Context, workflowID, agent string) error {
	return t.update(ctx, workflowID, workflows.TriageResolveUpdate, agent)
}

// update waits for the workflow to accept or reject. A rejection (already
// acknowledged, already resolved) or a closed incident is not an error
// here: PagerDuty reports state dre may already have, and retrying would
// not change the answer.
func (t TemporalIncidents) update(ctx context.Context, workflowID, name, agent string) error {
	by, proof, err := t.Relay.SignPagerDuty(workflowID, name, triageDataset(workflowID), agent, time.Now())
	if err != nil {
		return err
	}
	_, err = t.PressWith(ctx, workflowID, name, workflows.TriageAction{By: by, Proof: proof})
	var rejected *temporal.ApplicationError
	// The server answers NotFound for a run that has already completed.
	var notFound *serviceerror.NotFound
	if errors.As(err, &rejected) || errors.As(err, &notFound) {
		return nil
	}
	return err
}

// triageDataset is the dataset of a triage workflow ID, the target its
// decisions are signed over.
func triageDataset(workflowID string) string {
	return strings.TrimPrefix(workflowID, workflows.TriageWorkflowID(""))
}

// PressWith sends any workflow's update with arg and returns the
// workflow's answer, summarised: a string as is, a status object by its
// status. Unlike Acknowledge, a rejection is returned: the person who
// clicked should hear why nothing happened.
func (t TemporalIncidents) PressWith(ctx context.Context, workflowID, update string, arg any) (string, error) {
	h, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: update, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{arg},
	})
	var answer json.RawMessage
	if err == nil {
		err = h.Get(ctx, &answer)
	}
	return summarise(answer), err
}

// summarise shortens an update's answer for the clicker: the string the
// triage and the review return, or the status, phase or kind of the
// objects a deprecation and a PII scan return.
func summarise(answer json.RawMessage) string {
	var s string
	if json.Unmarshal(answer, &s) == nil {
		return s
	}
	var fields map[string]any
	if json.Unmarshal(answer, &fields) == nil {
		for _, key := range []string{"status", "kind"} {
			if v, ok := fields[key].(string); ok && v != "" {
				return fmt.Sprintf("%s %s", key, v)
			}
		}
	}
	return "done"
}
