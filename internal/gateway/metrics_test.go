package gateway

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/telemetry"
)

func TestMetricsCountLatencyAndRejectsByRoute(t *testing.T) {
	m, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(Options{Listen: "127.0.0.1:0", Metrics: m.HTTPHandler(), Recorder: m.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr()
	getBody(t, base+"/healthz")
	getBody(t, base+"/no/such/path/1")
	getBody(t, base+"/no/such/path/2")
	// Without a signing secret the Slack route turns every request away.
	resp, err := http.Post(base+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("text=help"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	scrape := getBody(t, base+"/metrics")
	for _, want := range []string{
		`dre_gateway_request_latency_seconds_count{route="GET /healthz",status="200"} 1`,
		`dre_gateway_rejects_total{reason="unavailable",route="POST /slack/commands"} 1`,
		`dre_gateway_rejects_total{reason="no_route",route="unmatched"} 2`,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(scrape, want) {
			t.Errorf("/metrics lacks %q; got:\n%s", want, grepLines(scrape, "dre_gateway"))
		}
	}
	if strings.Contains(scrape, "/no/such/path") {
		t.Error("/metrics labels a series with a raw path; a URL scan would grow the series without bound")
	}
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// grepLines keeps the lines holding substr, for readable failures.
func grepLines(text, substr string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
