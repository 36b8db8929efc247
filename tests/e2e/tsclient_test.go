package e2e

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/workflows"
)

// tsClientDir holds the TypeScript SDK's client that the tsclient tests
// drive workflows with (tests/peers/tsclient), relative to this package.
const tsClientDir = "../peers/tsclient"

// tsCall is one command for tests/peers/tsclient/drive.js: start a
// workflow, or send it an update, a signal or a query (Name) with Args.
type tsCall struct {
	Address      string `json:"address"`
	Namespace    string `json:"namespace"`
	Action       string `json:"action"`
	WorkflowType string `json:"workflowType,omitempty"`
	WorkflowID   string `json:"workflowId"`
	TaskQueue    string `json:"taskQueue,omitempty"`
	Name         string `json:"name,omitempty"`
	Args         []any  `json:"args"`
}

// tsAnswer is what drive.js printed: OK with the run or the result, or
// the error the server or the workflow answered with.
type tsAnswer struct {
	OK     bool            `json:"ok"`
	RunID  string          `json:"runId"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// requireTSClient fails the test, saying how to install it, when the
// TypeScript client's packages or Node.js are missing: these tests are
// the proof that the guards hold for another SDK, so they never skip.
func requireTSClient(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("Node.js (node) is not on PATH: install it (Debian/Ubuntu: apt-get install nodejs npm), then run `make tsclient`")
	}
	if _, err := os.Stat(filepath.Join(tsClientDir, "node_modules", "@temporalio", "client")); err != nil {
		t.Fatalf("the TypeScript client's packages are not installed (%v): run `make tsclient` (npm ci --prefix tests/peers/tsclient)", err)
	}
}

// tsDrive runs one call through the TypeScript client against the
// harness's Temporal server. An unreachable server or a bad command fails
// the test; a refusal is an answer, returned for the test to check.
func tsDrive(t *testing.T, c tsCall) tsAnswer {
	t.Helper()
	c.Address, c.Namespace = env.Server.FrontendAddress(), env.Server.Namespace()
	body, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "node", "drive.js")
	cmd.Dir, cmd.Stdin = tsClientDir, bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("drive.js %s %s: %v\n%s", c.Action, c.WorkflowID, err, stderr.String())
	}
	var a tsAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatalf("drive.js %s %s printed %q: %v", c.Action, c.WorkflowID, out, err)
	}
	return a
}

// tsStart starts workflowType as id on queue through the TypeScript
// client, failing the test if the server refuses the start.
func tsStart(t *testing.T, queue, workflowType, id string, input any) {
	t.Helper()
	a := tsDrive(t, tsCall{Action: "start", WorkflowType: workflowType, WorkflowID: id, TaskQueue: queue, Args: []any{input}})
	if !a.OK || a.RunID == "" {
		t.Fatalf("the TypeScript client could not start %s %s: %s", workflowType, id, a.Error)
	}
}

// tsUpdate sends update with arg to id through the TypeScript client.
func tsUpdate(t *testing.T, id, update string, arg any) tsAnswer {
	t.Helper()
	return tsDrive(t, tsCall{Action: "update", WorkflowID: id, Name: update, Args: []any{arg}})
}

// tsPeople is the directory of the tsclient tests, each person with a key:
// demo-owner (the customers approver, as U0DEMOOWNER, and in the owner
// team commerce-data), erin (the requester, also in commerce-data, with the
// warehouse role e2e_ts_erin) and mallory, who decides nothing.
func tsPeople(t *testing.T) (*people.Directory, map[string]ssh.Signer) {
	t.Helper()
	signers := map[string]ssh.Signer{}
	persons := map[string]people.Person{
		"demo-owner": {SlackUser: "U0DEMOOWNER", Principals: map[string]string{"local": "dre_demo_owner"}},
		"erin":       {Principals: map[string]string{"local": "e2e_ts_erin"}},
		"mallory":    {},
	}
	for id, p := range persons {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		s, err := ssh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		key, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
		if err != nil {
			t.Fatal(err)
		}
		p.Keys = []people.PublicKey{key}
		signers[id], persons[id] = s, p
	}
	groups := map[string]people.Group{"commerce-data": {People: []string{"demo-owner", "erin"}}}
	return people.NewDirectory(persons, groups), signers
}

// tsSigned is by's action on the workflow id about target, signed now by
// signer's key: the proof a decision carries, whoever sends it.
func tsSigned(t *testing.T, signer ssh.Signer, id, action, target, by string) workflows.Proof {
	t.Helper()
	nonce, err := decision.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	d := decision.Decision{WorkflowID: id, Action: action, Target: target, Decider: by, At: at, Nonce: nonce}
	sig, err := decision.Sign(d, signer)
	if err != nil {
		t.Fatal(err)
	}
	return workflows.Proof{Signature: sig, At: at, Nonce: nonce}
}
