package activities

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
)

func TestSlackEscape(t *testing.T) {
	tests := map[string]string{
		"<!channel> look":               "&lt;!channel&gt; look",
		"ping <@U0ADMIN>":               "ping &lt;@U0ADMIN&gt;",
		"<http://evil.example|fake>":    "&lt;http://evil.example|fake&gt;",
		"a & b":                         "a &amp; b",
		"already &lt; escaped":          "already &amp;lt; escaped",
		"plain text, *bold* and `code`": "plain text, *bold* and `code`",
		"":                              "",
	}
	for in, want := range tests {
		if got := SlackEscape(in); got != want {
			t.Errorf("SlackEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEscapedTextReachesSlackLiterally posts through the real Slack client
// to a stand-in Slack API, as a workflow's message with a reporter's text.
func TestEscapedTextReachesSlackLiterally(t *testing.T) {
	var mu sync.Mutex
	var posted url.Values
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		mu.Lock()
		posted = r.PostForm
		mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C1", "ts": "1.2"})
	}))
	defer api.Close()
	n := &Notify{Slack: slack.New("xoxb-test", slack.OptionAPIURL(api.URL+"/"))}
	text := ":rotating_light: reported by <@U1>: " + SlackEscape("<!channel> see <http://evil.example|the runbook>")
	if _, err := n.PostSlack(t.Context(), SlackMessage{Channel: "C1", Text: text}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	got := posted.Get("text")
	if !strings.Contains(got, "&lt;!channel&gt; see &lt;http://evil.example|the runbook&gt;") {
		t.Fatalf("Slack got %q: the user's <!channel> and link are not escaped", got)
	}
	if strings.Contains(got, "<!channel>") || !strings.Contains(got, "<@U1>") {
		t.Fatalf("Slack got %q: want the user's mention escaped and dre's own mention intact", got)
	}
}
