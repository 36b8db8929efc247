package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/telemetry"
	"github.com/dre-dev/dre/workflows"
)

const testAlertToken = "am-s3cret"

// fakeAlertTriage models signal-with-start: a report opens the dataset's
// incident unless one is open, and a resolve reaches an open one only.
type fakeAlertTriage struct {
	mu        sync.Mutex
	open      map[string][]workflows.TriageReport // by workflow ID
	openedAt  map[string]time.Time                // by workflow ID
	opened    int
	resolves  int
	failNext  error
	callCount int
}

func newFakeAlertTriage() *fakeAlertTriage {
	return &fakeAlertTriage{open: map[string][]workflows.TriageReport{}, openedAt: map[string]time.Time{}}
}

func (f *fakeAlertTriage) ReportTriage(_ context.Context, in workflows.TriageInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.callCount++
	if err := f.failNext; err != nil {
		f.failNext = nil
		return err
	}
	id := workflows.TriageWorkflowID(in.Dataset.Name)
	if _, ok := f.open[id]; !ok {
		f.opened++
		f.openedAt[id] = time.Now()
	}
	f.open[id] = append(f.open[id], in.Report)
	return nil
}

// SignalRecentTriage is SignalOpenTriage for incidents opened since then.
func (f *fakeAlertTriage) SignalRecentTriage(ctx context.Context, dataset string, since time.Time, r workflows.TriageReport) (bool, error) {
	f.mu.Lock()
	opened, ok := f.openedAt[workflows.TriageWorkflowID(dataset)]
	f.mu.Unlock()
	if ok && opened.Before(since) {
		return false, nil
	}
	return f.SignalOpenTriage(ctx, dataset, r)
}

// age makes the dataset's incident look opened d ago.
func (f *fakeAlertTriage) age(dataset string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.openedAt[workflows.TriageWorkflowID(dataset)] = time.Now().Add(-d)
}

func (f *fakeAlertTriage) SignalOpenTriage(_ context.Context, dataset string, r workflows.TriageReport) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.callCount++
	id := workflows.TriageWorkflowID(dataset)
	if _, ok := f.open[id]; !ok {
		return false, nil
	}
	f.resolves++
	f.open[id] = append(f.open[id], r)
	return true, nil
}

// reportsOf returns the reports of one incident.
func (f *fakeAlertTriage) reportsOf(dataset string) []workflows.TriageReport {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open[workflows.TriageWorkflowID(dataset)]
}

func (f *fakeAlertTriage) resolved() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resolves
}

// counts returns the incidents opened, the alerts they got, and the
// calls made.
func (f *fakeAlertTriage) counts() (opened, reports, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rs := range f.open {
		for _, r := range rs {
			reports += len(r.Alerts)
		}
	}
	return f.opened, reports, f.callCount
}

func startAlertGateway(tb testing.TB, configure ...func(*Options)) (string, *fakeAlertTriage) {
	tb.Helper()
	triage := newFakeAlertTriage()
	cat := catalog.New([]catalog.Dataset{
		{Name: "orders", Warehouse: "pg", Table: "sales.orders"},
		{Name: "refunds", Warehouse: "pg", Table: "sales.refunds"},
	})
	opts := Options{Listen: "127.0.0.1:0", Alerts: AlertOptions{
		Sources: map[string]AlertSourceOptions{alerts.SourceAlertmanager: {Token: testAlertToken}},
		Mapper:  alerts.NewMapper(nil, cat), Triage: triage,
	}}
	for _, f := range configure {
		f(&opts)
	}
	s, err := Start(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return "http://" + s.Addr(), triage
}

// amDelivery is an Alertmanager webhook body with one alert per
// fingerprint, all on table.
func amDelivery(status, table string, fingerprints ...string) string {
	items := make([]string, len(fingerprints))
	for i, fp := range fingerprints {
		items[i] = fmt.Sprintf(`{"status": %q, "labels": {"alertname": "Check%d", "table": %q}, "annotations": {"summary": "bad rows"},
		  "startsAt": "2026-12-06T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": %q}`, status, i, table, fp)
	}
	return fmt.Sprintf(`{"version": "4", "status": %q, "receiver": "dre", "alerts": [%s]}`, status, strings.Join(items, ","))
}

func postAlert(tb testing.TB, url, token, body string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

func TestAlertsOfOneDatasetJoinOneIncidentAndRepeatsAreDropped(t *testing.T) {
	base, triage := startAlertGateway(t)
	url := base + "/alerts/alertmanager"
	if code, body := postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "aaaa", "bbbb")); code != http.StatusOK || !strings.Contains(body, `"dataset":"orders"`) {
		t.Fatalf("first delivery: %d %s", code, body)
	}
	// Alertmanager repeats the group every repeat_interval.
	if code, body := postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "aaaa", "bbbb")); code != http.StatusOK || strings.Count(body, alertDuplicate) != 2 {
		t.Fatalf("repeat: %d %s", code, body)
	}
	postAlert(t, url, testAlertToken, amDelivery("firing", "sales.refunds", "cccc"))
	if opened, reports, _ := triage.counts(); opened != 2 || reports != 3 {
		t.Errorf("%d incidents with %d reports, want 2 incidents (orders, refunds) with 3 reports", opened, reports)
	}
	var fingerprints []string
	for _, r := range triage.reportsOf("orders") {
		if r.Reporter != "alertmanager" || r.Source != "alert" {
			t.Errorf("report by %s from %s, want alertmanager's alert", r.Reporter, r.Source)
		}
		for _, al := range r.Alerts {
			fingerprints = append(fingerprints, al.Fingerprint)
		}
	}
	if slices.Sort(fingerprints); !slices.Equal(fingerprints, []string{"aaaa", "bbbb"}) {
		t.Errorf("orders got alerts %v, want aaaa and bbbb", fingerprints)
	}
}

func TestAlertResolveReachesOnlyAnOpenIncident(t *testing.T) {
	base, triage := startAlertGateway(t)
	url := base + "/alerts/alertmanager"
	if _, body := postAlert(t, url, testAlertToken, amDelivery("resolved", "sales.orders", "aaaa")); !strings.Contains(body, alertNoOpen) {
		t.Errorf("a resolve without an incident: %s", body)
	}
	postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "aaaa"))
	if _, body := postAlert(t, url, testAlertToken, amDelivery("resolved", "sales.orders", "aaaa")); !strings.Contains(body, alertResolve) {
		t.Errorf("resolve of an open incident: %s", body)
	}
	// Fires again after resolving: not a duplicate.
	if _, body := postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "aaaa")); !strings.Contains(body, alertReported) {
		t.Errorf("a second firing: %s", body)
	}
	if opened, reports, _ := triage.counts(); opened != 1 || reports != 3 || triage.resolved() != 1 {
		t.Errorf("%d incidents, %d reports, %d resolves; want 1, 3, 1", opened, reports, triage.resolved())
	}
}

func TestAlertFailureAnswers500AndTheRedeliveryActs(t *testing.T) {
	base, triage := startAlertGateway(t)
	url := base + "/alerts/alertmanager"
	triage.mu.Lock()
	triage.failNext = errors.New("temporal unavailable")
	triage.mu.Unlock()
	if code, _ := postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "aaaa")); code != http.StatusInternalServerError {
		t.Fatalf("a failed report answered %d, want 500 so Alertmanager retries", code)
	}
	if code, body := postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "aaaa")); code != http.StatusOK || !strings.Contains(body, alertReported) {
		t.Errorf("the retry: %d %s", code, body)
	}
}

func TestUnmappedAlertIsAnsweredAndChangesNothing(t *testing.T) {
	base, triage := startAlertGateway(t)
	code, body := postAlert(t, base+"/alerts/alertmanager", testAlertToken, amDelivery("firing", "sales.payments", "aaaa"))
	if code != http.StatusOK || !strings.Contains(body, "no catalog dataset has table") {
		t.Errorf("%d %s", code, body)
	}
	if _, _, calls := triage.counts(); calls != 0 {
		t.Errorf("%d triage calls for an alert of no dataset", calls)
	}
}

func TestAlertRefusals(t *testing.T) {
	m, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	base, triage := startAlertGateway(t, func(o *Options) { o.Metrics, o.Recorder = m.HTTPHandler(), m.Handler() })
	good := amDelivery("firing", "sales.orders", "aaaa")
	for _, tc := range []struct {
		name, source, token, body string
		want                      int
	}{
		{"no token", "alertmanager", "", good, http.StatusUnauthorized},
		{"wrong token", "alertmanager", "am-s3cre", good, http.StatusUnauthorized},
		{"token of a longer length", "alertmanager", testAlertToken + "x", good, http.StatusUnauthorized},
		{"unknown source", "nagios", testAlertToken, good, http.StatusNotFound},
		{"source not configured", "soda", testAlertToken, `{}`, http.StatusServiceUnavailable},
		{"malformed", "alertmanager", testAlertToken, `{"version": "4", "alerts": [{"status": "firing"}]}`, http.StatusBadRequest},
		{"not JSON", "alertmanager", testAlertToken, `firing!`, http.StatusBadRequest},
		{"too large", "alertmanager", testAlertToken, `{"version": "4", "pad": "` + strings.Repeat("x", maxAlertBody) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		if code, body := postAlert(t, base+"/alerts/"+tc.source, tc.token, tc.body); code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.want)
		}
	}
	if _, _, calls := triage.counts(); calls != 0 {
		t.Errorf("%d triage calls from refused requests", calls)
	}
	scrape := getBody(t, base+"/metrics")
	if want := `dre_gateway_refusals_total{reason="alert_token"} 3`; !strings.Contains(scrape, want) {
		t.Errorf("/metrics lacks %q:\n%s", want, grepLines(scrape, "refusals"))
	}
}
