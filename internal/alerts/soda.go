package alerts

import (
	"encoding/json"
	"fmt"
	"time"
)

// sodaBody is either a Soda Cloud webhook (event checkEvaluation, or
// incidentCreated/incidentUpdated with the incident's check results) or
// the scan results soda-core writes (Scan.get_scan_results()).
type sodaBody struct {
	Event        string           `json:"event"`
	CheckResults []sodaCloudCheck `json:"checkResults"`
	Incident     *struct {
		CheckResults []sodaCloudCheck `json:"checkResults"`
	} `json:"incident"`
	DataTimestamp time.Time       `json:"dataTimestamp"`
	Checks        []sodaScanCheck `json:"checks"`
}

type sodaCloudCheck struct {
	ID         string `json:"id"`
	URL        string `json:"sodaCloudUrl"`
	Definition string `json:"definition"`
	Column     string `json:"column"`
	Outcome    string `json:"outcome"`
	Datasets   []struct {
		Name       string `json:"name"`
		Datasource struct {
			Name string `json:"name"`
		} `json:"datasource"`
	} `json:"datasets"`
}

type sodaScanCheck struct {
	Identity   string `json:"identity"`
	Name       string `json:"name"`
	Definition string `json:"definition"`
	DataSource string `json:"dataSource"`
	Table      string `json:"table"`
	Column     string `json:"column"`
	Outcome    string `json:"outcome"`
}

// parseSoda makes one alert per check result and dataset; the
// fingerprint is Soda's check ID (or the scan's check identity), so the
// next passing evaluation resolves it.
func parseSoda(body []byte, _ Options) ([]Alert, error) {
	var b sodaBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("not a Soda body (a Soda Cloud webhook with checkResults[], or soda-core scan results with checks[]): %w", err)
	}
	cloud := b.CheckResults
	if b.Incident != nil {
		cloud = append(cloud, b.Incident.CheckResults...)
	}
	var out []Alert
	for i, c := range cloud {
		if c.ID == "" || c.Outcome == "" || len(c.Datasets) == 0 {
			return nil, fmt.Errorf("checkResults[%d] needs id, outcome and datasets[]", i)
		}
		for _, ds := range c.Datasets {
			out = append(out, sodaAlert(c.ID+"/"+ds.Name, c.Definition, c.Outcome, ds.Name, ds.Datasource.Name, c.Column, c.URL, b.DataTimestamp))
		}
	}
	for i, c := range b.Checks {
		if c.Identity == "" || c.Outcome == "" || c.Table == "" {
			return nil, fmt.Errorf("checks[%d] needs identity, outcome and table", i)
		}
		out = append(out, sodaAlert(c.Identity, firstNonEmpty(c.Name, c.Definition), c.Outcome, c.Table, c.DataSource, c.Column, "", b.DataTimestamp))
	}
	return out, nil
}

// sodaAlert: outcome pass resolves; warn is sev4; fail and error are sev3.
func sodaAlert(fingerprint, name, outcome, table, datasource, column, url string, at time.Time) Alert {
	sev := 3
	if outcome == "warn" {
		sev = 4
	}
	return Alert{
		Fingerprint: fingerprint, Name: name, Status: statusOf(outcome == "pass"), Table: table,
		Labels:  map[string]string{"datasource": datasource, "column": column, "outcome": outcome},
		Summary: fmt.Sprintf("Soda check %s: %s", outcome, name), Severity: sev, StartsAt: at, URL: url,
	}
}
