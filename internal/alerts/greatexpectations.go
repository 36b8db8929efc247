package alerts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// gxValidation is a Great Expectations (GX Core 1.x) validation result:
// the suite, whether it passed, and the expectations that failed. The
// table comes from meta.active_batch_definition.data_asset_name.
type gxValidation struct {
	Success   *bool  `json:"success"`
	SuiteName string `json:"suite_name"`
	Results   []struct {
		Success           bool `json:"success"`
		ExpectationConfig struct {
			Type            string         `json:"type"`
			ExpectationType string         `json:"expectation_type"` // GX 0.x
			Kwargs          map[string]any `json:"kwargs"`
		} `json:"expectation_config"`
	} `json:"results"`
	Meta struct {
		Batch struct {
			Datasource string `json:"datasource_name"`
			DataAsset  string `json:"data_asset_name"`
		} `json:"active_batch_definition"`
	} `json:"meta"`
}

// gxNotification is what GX's APINotificationAction sends per run.
type gxNotification struct {
	SuiteName         string         `json:"test_suite_name"`
	DataAsset         string         `json:"data_asset_name"`
	ValidationResults []gxValidation `json:"validation_results"`
}

// parseGreatExpectations reads one validation result, an array of them,
// or the APINotificationAction body. The fingerprint is the suite and the
// data asset: the next successful validation resolves the alert.
func parseGreatExpectations(body []byte, _ Options) ([]Alert, error) {
	results, err := gxResults(body)
	if err != nil {
		return nil, fmt.Errorf("not Great Expectations validation results (success, suite_name, meta.active_batch_definition.data_asset_name): %w", err)
	}
	out := make([]Alert, 0, len(results))
	for i, v := range results {
		asset := v.Meta.Batch.DataAsset
		if v.Success == nil || v.SuiteName == "" || asset == "" {
			return nil, fmt.Errorf("validation result %d needs success, suite_name and meta.active_batch_definition.data_asset_name", i)
		}
		out = append(out, Alert{
			Fingerprint: v.SuiteName + "/" + asset, Name: v.SuiteName, Status: statusOf(*v.Success), Table: asset,
			Labels: map[string]string{"suite": v.SuiteName, "datasource": v.Meta.Batch.Datasource}, Summary: gxSummary(v), Severity: 3,
		})
	}
	return out, nil
}

func gxResults(body []byte) ([]gxValidation, error) {
	trimmed := bytes.TrimSpace(body)
	var results []gxValidation
	if bytes.HasPrefix(trimmed, []byte("[")) {
		return results, json.Unmarshal(trimmed, &results)
	}
	var n gxNotification
	if err := json.Unmarshal(trimmed, &n); err != nil {
		return nil, err
	}
	if len(n.ValidationResults) > 0 {
		for i := range n.ValidationResults { // the action names the asset beside the results
			v := &n.ValidationResults[i]
			v.SuiteName = firstNonEmpty(v.SuiteName, n.SuiteName)
			v.Meta.Batch.DataAsset = firstNonEmpty(v.Meta.Batch.DataAsset, n.DataAsset)
		}
		return n.ValidationResults, nil
	}
	var one gxValidation
	err := json.Unmarshal(trimmed, &one)
	return []gxValidation{one}, err
}

// gxSummary names the failed expectations and their columns.
func gxSummary(v gxValidation) string {
	var failed []string
	for _, r := range v.Results {
		if r.Success {
			continue
		}
		c := r.ExpectationConfig
		name := firstNonEmpty(c.Type, c.ExpectationType)
		if col, ok := c.Kwargs["column"].(string); ok {
			name += "(" + col + ")"
		}
		failed = append(failed, name)
	}
	if len(failed) == 0 {
		return fmt.Sprintf("suite %s passed", v.SuiteName)
	}
	return fmt.Sprintf("suite %s: %d of %d expectations failed: %s", v.SuiteName, len(failed), len(v.Results), strings.Join(failed, ", "))
}
