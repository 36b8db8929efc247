package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// triggers numbers the test requests' trigger IDs.
var triggers atomic.Int64

// fakeStarter records triage starts.
type fakeStarter struct {
	mu     sync.Mutex
	starts []workflows.TriageInput
	fail   error
}

func (f *fakeStarter) ReportTriage(_ context.Context, in workflows.TriageInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, in)
	return f.fail
}

func (f *fakeStarter) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.starts) }

type fakeRuns []RunSummary

func (f fakeRuns) OpenRuns(_ context.Context, dataset string) ([]RunSummary, error) {
	var out []RunSummary
	for _, r := range f {
		if dataset == "" || r.Dataset == dataset {
			out = append(out, r)
		}
	}
	return out, nil
}

// startSlackGateway serves the Slack routes over real HTTP with a fake
// starter; the returned wait stops the start workers and waits for them.
func startSlackGateway(t testing.TB, secret string, starter *fakeStarter, configure ...func(*Commands)) (string, func()) {
	t.Helper()
	return startSlackGatewayWith(t, secret, starter, func(*Options) {}, configure...)
}

// startSlackGatewayWith is startSlackGateway with the gateway's options
// changed by gateway.
func startSlackGatewayWith(t testing.TB, secret string, starter *fakeStarter, gateway func(*Options), configure ...func(*Commands)) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmds := &Commands{
		Catalog: catalog.New([]catalog.Dataset{{Name: "orders", Table: "public.orders", Owner: catalog.Owner{SlackChannel: "#commerce"}}, {Name: "customers"}}),
		Triage:  starter, Runs: fakeRuns{{WorkflowID: "triage/orders", Kind: "triage", Dataset: "orders", Status: "open"}},
		Namespace: "default",
	}
	for _, f := range configure {
		f(cmds)
	}
	cmds.Start(ctx, 2)
	opts := Options{Listen: "127.0.0.1:0", Slack: SlackOptions{SigningSecret: secret, Commands: cmds}}
	gateway(&opts)
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	stop := func() { cancel(); cmds.Wait() }
	t.Cleanup(func() { stop(); _ = s.Shutdown(context.Background()) })
	return "http://" + s.Addr(), stop
}

// signedCommand builds a slash command request signed as Slack does.
func signedCommand(t testing.TB, base, secret, text string, at time.Time) *http.Request {
	t.Helper()
	return signedForm(t, base+"/slack/commands", secret, commandForm(text), at)
}

// commandForm is the form Slack posts for `/dre text`.
func commandForm(text string) url.Values {
	// Slack gives every request a fresh trigger_id, so two commands with
	// the same text in the same second still carry different signatures.
	trigger := strconv.FormatInt(triggers.Add(1), 10)
	return url.Values{"command": {"/dre"}, "text": {text}, "user_id": {"U123"}, "channel_id": {"C9"},
		"response_url": {"http://127.0.0.1:1/hook"}, "trigger_id": {trigger}}
}

// signedForm posts a form to target signed as Slack signs requests.
func signedForm(t testing.TB, target, secret string, form url.Values, at time.Time) *http.Request {
	t.Helper()
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

// send does the request and returns the status and the reply text.
func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var msg struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &msg) != nil {
		return resp.StatusCode, string(raw)
	}
	return resp.StatusCode, msg.Text
}
