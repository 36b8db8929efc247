package alerts

import (
	"encoding/json"
	"fmt"
	"strings"
)

// mcWebhook is the part of a Monte Carlo webhook dre reads: the incident
// payload, whose events each name the table they concern.
type mcWebhook struct {
	Type     string `json:"type"`
	Severity string `json:"declared_alert_severity"`
	Payload  struct {
		IncidentID string `json:"incident_id"`
		URL        string `json:"url"`
		Severity   string `json:"severity"`
		Events     []struct {
			TableName string `json:"table_name"`
			Rule      struct {
				RuleType    string `json:"rule_type"`
				Description string `json:"description"`
			} `json:"rule"`
		} `json:"event_list"`
	} `json:"payload"`
}

// parseMonteCarlo makes one alert per table of the incident; the
// fingerprint is the incident ID and the table, so a later event of the
// same incident (a resolve) finds the same alerts. An event without a
// table (a SQL rule) is kept, so a map rule on its labels can place it.
func parseMonteCarlo(body []byte, _ Options) ([]Alert, error) {
	var w mcWebhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("not a Monte Carlo webhook body (JSON with type and payload.event_list[]): %w", err)
	}
	p := w.Payload
	if w.Type == "" || p.IncidentID == "" {
		return nil, fmt.Errorf("a Monte Carlo webhook needs type and payload.incident_id")
	}
	status := Firing
	if strings.Contains(strings.ToLower(w.Type), "resolved") {
		status = Resolved
	}
	sev := severityOfWord(firstNonEmpty(w.Severity, p.Severity))
	seen := map[string]bool{}
	var out []Alert
	for _, ev := range p.Events {
		if seen[ev.TableName] {
			continue
		}
		seen[ev.TableName] = true
		out = append(out, Alert{
			Fingerprint: p.IncidentID + "/" + ev.TableName, Name: firstNonEmpty(ev.Rule.RuleType, w.Type), Status: status,
			Table: ev.TableName, Labels: map[string]string{"type": w.Type, "rule_type": ev.Rule.RuleType},
			Summary: firstNonEmpty(ev.Rule.Description, w.Type), Severity: sev, URL: p.URL,
		})
	}
	return out, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
