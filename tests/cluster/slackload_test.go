package cluster

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// slashCommand is one signed /dre triage sent to a gateway and its answer.
type slashCommand struct {
	token   string // in the description: finds the report in the workflows
	dataset string
	gateway int
	status  int // 0 when the gateway gave no HTTP answer
	reply   string
	took    time.Duration
}

// accepted is a 2xx whose reply says the triage is starting: Temporal
// recorded it before the answer. A 2xx saying it is taking longer is
// pending (still being recorded by a gateway that may die); one saying it
// could not start (busy, Temporal unreachable) is a refusal.
func (c slashCommand) accepted() bool {
	return c.status/100 == 2 && strings.Contains(c.reply, "is starting")
}

func (c slashCommand) pending() bool {
	return c.status/100 == 2 && strings.Contains(c.reply, "taking longer")
}

// slashLoad sends /dre triage commands at a fixed rate, alternating
// between gateways, each on its own goroutine so that a dead gateway
// does not slow the others.
type slashLoad struct {
	gateways []*dreGateway
	datasets []string
	sent     atomic.Int64
	mu       sync.Mutex
	cmds     []slashCommand
	wg       sync.WaitGroup
	hc       *http.Client
}

// run sends n commands at rate per second and returns once every request
// has its answer or its error.
func (l *slashLoad) run(n, rate int) {
	l.hc = &http.Client{Timeout: 10 * time.Second}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range n {
		<-tick.C
		l.wg.Add(1)
		go l.send(i)
		l.sent.Add(1)
	}
	l.wg.Wait()
}

func (l *slashLoad) send(i int) {
	defer l.wg.Done()
	c := slashCommand{token: fmt.Sprintf("load-%04d", i), dataset: l.datasets[(i/len(l.gateways))%len(l.datasets)], gateway: i % len(l.gateways)}
	form := url.Values{
		"command": {"/dre"}, "text": {fmt.Sprintf("triage %s sev4 %s", c.dataset, c.token)},
		"user_id": {fmt.Sprintf("U0LOAD%04d", i)}, "user_name": {"load"}, "team_id": {"T0CLUSTER"},
		"channel_id": {"C0LOAD"}, "trigger_id": {c.token},
	}
	start := time.Now()
	c.status, c.reply = postSigned(l.hc, l.gateways[c.gateway].URL+"/slack/commands", form.Encode())
	c.took = time.Since(start)
	l.mu.Lock()
	l.cmds = append(l.cmds, c)
	l.mu.Unlock()
}

// postSigned sends body signed as Slack signs requests: v0= and the
// HMAC-SHA256 of "v0:<timestamp>:<body>" under the signing secret.
func postSigned(hc *http.Client, target, body string) (int, string) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(slackSigningSecret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(reply)
}
