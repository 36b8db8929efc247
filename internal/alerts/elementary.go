package alerts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// elementaryResult is one row of Elementary's elementary_test_results
// table, as a job that reads the table (or an Elementary Cloud webhook
// template) posts it. The open-source edr monitor only sends to Slack and
// Teams, so the table is the dependable source.
type elementaryResult struct {
	ID           string    `json:"id"`
	TestUniqueID string    `json:"test_unique_id"`
	DetectedAt   time.Time `json:"detected_at"`
	Database     string    `json:"database_name"`
	Schema       string    `json:"schema_name"`
	Table        string    `json:"table_name"`
	Column       string    `json:"column_name"`
	TestType     string    `json:"test_type"`
	TestName     string    `json:"test_name"`
	Description  string    `json:"test_results_description"`
	Status       string    `json:"status"`
}

// parseElementary reads one result, an array of them, or {"results": [...]}.
// The fingerprint is the test's unique ID, so a later passing run of the
// test resolves the alert a failing one raised.
func parseElementary(body []byte, _ Options) ([]Alert, error) {
	rows, err := elementaryRows(body)
	if err != nil {
		return nil, fmt.Errorf("not Elementary test results (rows of elementary_test_results: test_unique_id, schema_name, table_name, status): %w", err)
	}
	out := make([]Alert, 0, len(rows))
	for i, r := range rows {
		if r.TestUniqueID == "" || r.Status == "" {
			return nil, fmt.Errorf("result %d needs test_unique_id and status (pass, warn, fail or error)", i)
		}
		table := strings.Trim(r.Schema+"."+r.Table, ".")
		out = append(out, Alert{
			Fingerprint: r.TestUniqueID, Name: r.TestName, Status: statusOf(r.Status == "pass"),
			Table: table, Labels: map[string]string{"test_type": r.TestType, "column": r.Column, "database": r.Database},
			Summary: firstNonEmpty(r.Description, r.TestName), Severity: elementarySeverity(r), StartsAt: r.DetectedAt,
		})
	}
	return out, nil
}

func elementaryRows(body []byte) ([]elementaryResult, error) {
	trimmed := bytes.TrimSpace(body)
	var rows []elementaryResult
	if bytes.HasPrefix(trimmed, []byte("[")) {
		return rows, json.Unmarshal(trimmed, &rows)
	}
	var wrapped struct {
		Results []elementaryResult `json:"results"`
	}
	if err := json.Unmarshal(trimmed, &wrapped); err != nil || len(wrapped.Results) > 0 {
		return wrapped.Results, err
	}
	var one elementaryResult
	err := json.Unmarshal(trimmed, &one)
	return []elementaryResult{one}, err
}

// elementarySeverity: a failed test is sev3 and a warning sev4; dbt's
// own severity (error or warn) says whether the build stopped, not how
// urgent the data is, so it does not page anyone.
func elementarySeverity(r elementaryResult) int {
	if r.Status == "warn" {
		return 4
	}
	return 3
}
