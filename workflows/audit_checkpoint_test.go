package workflows

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
)

// runAuditCheckpoint runs the workflow with the worker's answer mocked
// and returns its report, its error and what it posted to Slack.
func runAuditCheckpoint(t *testing.T, answer activities.AuditCheckpointResult, failure error) (AuditCheckpointReport, []activities.SlackMessage, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: AuditCheckpointWorkflowID("test")})
	var a *activities.AuditCheckpoints
	env.OnActivity(a.PublishCheckpoint, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.AuditCheckpointRequest) (activities.AuditCheckpointResult, error) {
		if req.At.IsZero() {
			t.Error("the request carries no time; a retried attempt could not recognize its checkpoint")
		}
		return answer, failure
	})
	var posts []activities.SlackMessage
	var n *activities.Notify
	env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
		posts = append(posts, m)
		return activities.SlackPosted{Sent: true, Channel: m.Channel, TS: "1.2"}, nil
	})
	env.ExecuteWorkflow(AuditCheckpoint, AuditCheckpointInput{})
	var r AuditCheckpointReport
	err := env.GetWorkflowError()
	if err == nil {
		if err := env.GetWorkflowResult(&r); err != nil {
			t.Fatal(err)
		}
	}
	return r, posts, err
}

func TestAuditCheckpointPostsTheSignedDocument(t *testing.T) {
	doc := "{\n  \"seq\": 42,\n  \"signature\": \"-----BEGIN SSH SIGNATURE-----\\nU1NIU0lH\\n-----END SSH SIGNATURE-----\"\n}\n"
	r, posts, err := runAuditCheckpoint(t, activities.AuditCheckpointResult{Seq: 42, Head: "abc123", Signer: "carol",
		Fingerprint: "SHA256:fp", Document: doc, Channel: "#dre-audit"}, nil)
	if err != nil || r.Status != AuditCheckpointPublished || r.Posted != "1.2" || r.Checkpoint.Seq != 42 {
		t.Fatalf("report %+v, err %v; want published and posted", r, err)
	}
	if len(posts) != 1 || posts[0].Channel != "#dre-audit" {
		t.Fatalf("posts %+v; want one to #dre-audit", posts)
	}
	for _, want := range []string{"record 42", "`abc123`", "carol (SHA256:fp)", "```\n" + doc + "```"} {
		if !strings.Contains(posts[0].Text, want) {
			t.Errorf("post %q lacks %q", posts[0].Text, want)
		}
	}
}

func TestAuditCheckpointSkipsAnUnmovedHeadAndPostsNothing(t *testing.T) {
	r, posts, err := runAuditCheckpoint(t, activities.AuditCheckpointResult{Skipped: true, Seq: 42, Head: "abc123",
		Reason: "the head has not moved since the checkpoint of record 42", Channel: "#dre-audit"}, nil)
	if err != nil || r.Status != AuditCheckpointSkipped || !strings.Contains(r.Checkpoint.Reason, "has not moved") || len(posts) != 0 {
		t.Fatalf("report %+v, err %v, posts %+v; want skipped, saying why, and nothing posted", r, err, posts)
	}
}

func TestAuditCheckpointFailsOnARefusal(t *testing.T) {
	refusal := temporal.NewNonRetryableApplicationError("audit.checkpoint_key /nope: read signing key: no such file", "AuditCheckpointRefused", nil)
	_, posts, err := runAuditCheckpoint(t, activities.AuditCheckpointResult{}, refusal)
	if err == nil || !strings.Contains(err.Error(), "audit.checkpoint_key /nope") || len(posts) != 0 {
		t.Fatalf("err %v, posts %+v; want the run failed with the worker's reason and nothing posted", err, posts)
	}
}
