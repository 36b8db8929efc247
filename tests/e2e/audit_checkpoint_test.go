package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"golang.org/x/crypto/ssh"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/schedules"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// checkpointFixture is a state database with an audit log, a worker that
// signs checkpoints with its own key, the checkpoint directory, the
// Slack stand-in and the CLI's environment, on a task queue of its own.
type checkpointFixture struct {
	stateDSN, dir, keyPath string
	env                    map[string]string
	slack                  *peers.Slack
	schedule               client.ScheduleHandle
}

func checkpointSetup(t *testing.T) *checkpointFixture {
	t.Helper()
	if err := env.PG.CreateDatabase(context.Background(), "checkpoint_state"); err != nil {
		t.Fatal(err)
	}
	f := &checkpointFixture{stateDSN: env.PG.DSN("checkpoint_state"), dir: filepath.Join(t.TempDir(), "checkpoints"), slack: peers.StartSlack(t)}
	keyPath, keyLine := checkpointKeyFile(t)
	f.keyPath = keyPath
	yaml := fmt.Sprintf(`people:
  audit-bot:
    name: dre workers
    keys: [%q]
audit:
  checkpoint_every: 1h
  checkpoint_key: %s
  checkpoint_signer: audit-bot
  checkpoint_channel: "#dre-audit"
  checkpoint_dir: %s
`, keyLine, keyPath, f.dir)
	path := filepath.Join(t.TempDir(), "dre.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil, config.LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	f.env = map[string]string{"DRE_CONFIG": path, "TEMPORAL_ADDRESS": env.Server.FrontendAddress(),
		"DRE_TASK_QUEUE": env.TaskQueue + "-checkpoint", "DRE_STATE_DSN": f.stateDSN, "USER": "e2e"}
	w := sdkworker.New(env.Client, f.env["DRE_TASK_QUEUE"], sdkworker.Options{})
	worker.Register(w, worker.Deps{StateDSN: f.stateDSN, Notify: &activities.Notify{Slack: f.slack.Client()},
		Checkpoints: worker.AuditCheckpoints(cfg, f.stateDSN, "")})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	f.schedule = env.Client.ScheduleClient().GetHandle(context.Background(), schedules.AuditCheckpointID)
	t.Cleanup(func() { _ = f.schedule.Delete(context.Background()) })
	reminders := env.Client.ScheduleClient().GetHandle(context.Background(), schedules.FollowupRemindersID)
	t.Cleanup(func() { _ = reminders.Delete(context.Background()) }) // sync creates it too: the config has a state database
	return f
}

// checkpointKeyFile writes the workers' unencrypted key and returns its
// path and its authorized_keys line.
func checkpointKeyFile(t *testing.T) (path, line string) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "dre_audit_key")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	return path, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

// appendAudit adds n records to the log.
func (f *checkpointFixture) appendAudit(t *testing.T, n int) {
	t.Helper()
	l, err := audit.Open(t.Context(), f.stateDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		if _, err := l.Append(t.Context(), audit.Entry{Actor: "U1", Action: "grant", Target: fmt.Sprint("t", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// trigger runs the schedule now and returns the run's workflow ID, its
// report, and its error.
func (f *checkpointFixture) trigger(t *testing.T) (string, workflows.AuditCheckpointReport, error) {
	t.Helper()
	before := f.actions(t)
	if err := f.schedule.Trigger(t.Context(), client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var started []*client.ScheduleActionResult
	eventually(t, "the schedule to start a run", func() bool {
		started = f.recentActions(t)
		return len(started) > before
	})
	run := started[len(started)-1].StartWorkflowResult
	var r workflows.AuditCheckpointReport
	err := env.Client.GetWorkflow(t.Context(), run.WorkflowID, run.FirstExecutionRunID).Get(t.Context(), &r)
	return run.WorkflowID, r, err
}

func (f *checkpointFixture) actions(t *testing.T) int { return len(f.recentActions(t)) }

func (f *checkpointFixture) recentActions(t *testing.T) []*client.ScheduleActionResult {
	t.Helper()
	d, err := f.schedule.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []*client.ScheduleActionResult
	for i := range d.Info.RecentActions {
		out = append(out, &d.Info.RecentActions[i])
	}
	return out
}

// verify runs dre audit verify with args.
func (f *checkpointFixture) verify(t *testing.T, args ...string) clitest.Result {
	return clitest.Run(t, f.env, append([]string{"audit", "verify"}, args...)...)
}

// The brief's scenario: dre schedules sync creates the checkpoint
// schedule; a scheduled run signs a checkpoint with the worker's key,
// records it, writes its file and posts it; a run with nothing new skips;
// deleting the newest records, or dropping and re-creating the log and
// its checkpoints, is then found by dre audit verify --checkpoint-dir,
// and the scheduled runs refuse to sign over the loss.
func TestScheduledAuditCheckpointPublishesSkipsAndShowsLosses(t *testing.T) {
	f := checkpointSetup(t)
	f.appendAudit(t, 3)
	if res := clitest.Run(t, f.env, "schedules", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "+ "+schedules.AuditCheckpointID+" (every 1h0m0s") {
		t.Fatalf("sync: exit %d, stdout %q, stderr %q; want the checkpoint schedule created hourly", res.Code, res.Stdout, res.Stderr)
	}

	id, r, err := f.trigger(t)
	c := r.Checkpoint
	if err != nil || r.Status != workflows.AuditCheckpointPublished || c.Seq != 3 || c.Signer != "audit-bot" || r.Posted == "" {
		t.Fatalf("first run %s: report %+v, err %v; want record 3 published by audit-bot and posted", id, r, err)
	}
	newest, path, found, err := audit.NewestCheckpointFile(f.dir)
	if err != nil || !found || path != c.File || newest.Seq != 3 || newest.Head != c.Head {
		t.Fatalf("newest file %s = %+v, %v, %v; want the checkpoint of record 3 at %s", path, newest, found, err, c.File)
	}
	post, ok := f.slack.FindMessage("Audit log checkpoint: record 3")
	if !ok || post.Channel != "#dre-audit" || !strings.Contains(post.Text, c.Head) || !strings.Contains(post.Text, c.Fingerprint) || !strings.Contains(post.Text, `"signature"`) {
		t.Errorf("Slack post %+v; want head, fingerprint and the signed document in #dre-audit", post)
	}
	if res := f.verify(t, "--checkpoint-dir", f.dir); res.Code != 0 || strings.Count(res.Stdout, "checkpoint holds: record 3") != 2 {
		t.Errorf("verify: exit %d, stdout %q, stderr %q; want the table's and the file's checkpoint to hold", res.Code, res.Stdout, res.Stderr)
	}
	f.keyNotInHistory(t, id)
	recordHistory(t, id, "audit-checkpoint-published.json")

	if _, r, err := f.trigger(t); err != nil || r.Status != workflows.AuditCheckpointSkipped || !strings.Contains(r.Checkpoint.Reason, "has not moved") {
		t.Errorf("second run: report %+v, err %v; want skipped, the head unmoved", r, err)
	}
	if n := len(f.slack.Calls()); n != 1 {
		t.Errorf("%d Slack posts after a skipped run; want the first only", n)
	}

	// The newest records deleted by someone who can disable the trigger.
	f.appendAudit(t, 2)
	if _, r, err := f.trigger(t); err != nil || r.Checkpoint.Seq != 5 {
		t.Fatalf("third run: report %+v, err %v; want record 5 published", r, err)
	}
	localpgtest.Exec(t, f.stateDSN, "ALTER TABLE dre_audit_log DISABLE TRIGGER USER; DELETE FROM dre_audit_log WHERE seq > 3")
	if res := f.verify(t, "--checkpoint-dir", f.dir); res.Code != 1 || !strings.Contains(res.Stderr, "records 4 to 5 are missing") {
		t.Errorf("verify after deleting the tail: exit %d, stderr %q; want records 4 to 5 named", res.Code, res.Stderr)
	}
	f.refused(t, "deleted tail", "records 4 to 5 are missing")

	// Both tables dropped, and a new log started with more records than
	// the old one had: only the files show it.
	localpgtest.Exec(t, f.stateDSN, "DROP TABLE dre_audit_log; DROP TABLE dre_audit_checkpoints")
	f.appendAudit(t, 6)
	if res := f.verify(t, "--checkpoint-dir="); res.Code != 0 {
		t.Errorf("verify without the directory: exit %d, stderr %q; the database alone cannot tell", res.Code, res.Stderr)
	}
	for _, args := range [][]string{{"--checkpoint-dir", f.dir}, nil} { // nil: audit.checkpoint_dir
		res := f.verify(t, args...)
		for _, want := range []string{"record 5's hash is now", "dre_audit_checkpoints no longer holds this checkpoint", "Restore dre_audit_log"} {
			if res.Code != 1 || !strings.Contains(res.Stderr, want) {
				t.Errorf("verify %v after both tables were re-created: exit %d, stderr %q; want %q", args, res.Code, res.Stderr, want)
			}
		}
	}
	f.refused(t, "re-created tables", "record 5's hash is now")
}

// refused runs the schedule once more and wants the run failed with the
// loss named, and no new checkpoint file.
func (f *checkpointFixture) refused(t *testing.T, what, want string) {
	t.Helper()
	before, _ := os.ReadDir(f.dir)
	_, r, err := f.trigger(t)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !strings.Contains(app.Message(), "no checkpoint signed") || !strings.Contains(app.Message(), want) {
		t.Errorf("run after the %s: report %+v, err %v; want it refused, naming %q", what, r, err, want)
	}
	if after, _ := os.ReadDir(f.dir); len(after) != len(before) {
		t.Errorf("run after the %s wrote a checkpoint file (%d → %d)", what, len(before), len(after))
	}
}

// keyNotInHistory fails the test if the run's history holds the key, or
// even its path: only the worker's dre.yaml names it.
func (f *checkpointFixture) keyNotInHistory(t *testing.T, id string) {
	t.Helper()
	key, err := os.ReadFile(f.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	iter := env.Client.GetWorkflowHistory(t.Context(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events := 0
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		text := decodedEvent(t, event)
		if strings.Contains(text, filepath.Base(f.keyPath)) || strings.Contains(text, "PRIVATE KEY") || strings.Contains(text, string(key[40:80])) {
			t.Errorf("history event %d (%s) names the signing key or holds it", event.GetEventId(), event.GetEventType())
		}
	}
	if events == 0 {
		t.Fatal("no history read")
	}
}

// payloadData matches the base64 payloads of a history event in JSON.
var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// decodedEvent is the event as JSON followed by its decoded payloads,
// where activity inputs and results are.
func decodedEvent(t *testing.T, event *historypb.HistoryEvent) string {
	t.Helper()
	text := protojson.Format(event)
	var b strings.Builder
	b.WriteString(text)
	for _, m := range payloadData.FindAllStringSubmatch(text, -1) {
		data, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}
