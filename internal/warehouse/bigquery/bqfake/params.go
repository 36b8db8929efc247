package bqfake

import (
	"encoding/json"
	"io"
	"net/http"

	bq "google.golang.org/api/bigquery/v2"
)

// rawParam is a query parameter as sent. The generated types decode
// "value": null as "", which for a STRING would be a different value, so
// the body is read twice: once into them, once into this.
type rawParam struct {
	ParameterValue *struct {
		Value *string `json:"value"`
	} `json:"parameterValue"`
}

// markNulls marks the parameters sent as null the way the client library
// marks them when it sends them: NullFields holds "Value".
func markNulls(params []*bq.QueryParameter, raw []rawParam) {
	for i, p := range params {
		if i >= len(raw) || p.ParameterValue == nil {
			continue
		}
		if rv := raw[i].ParameterValue; rv == nil || rv.Value == nil {
			p.ParameterValue.NullFields = append(p.ParameterValue.NullFields, "Value")
		}
	}
}

// decodeJob reads a jobs.insert body.
func decodeJob(r *http.Request) (*bq.Job, *apiError) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, errInvalid("reading the request: %v", err)
	}
	var j bq.Job
	var raw struct {
		Configuration *struct {
			Query *struct {
				QueryParameters []rawParam `json:"queryParameters"`
			} `json:"query"`
		} `json:"configuration"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, errInvalid("Invalid JSON payload received: %v", err)
	}
	_ = json.Unmarshal(body, &raw)
	if j.Configuration != nil && j.Configuration.Query != nil && raw.Configuration != nil && raw.Configuration.Query != nil {
		markNulls(j.Configuration.Query.QueryParameters, raw.Configuration.Query.QueryParameters)
	}
	return &j, nil
}

// decodeQuery reads a jobs.query body.
func decodeQuery(r *http.Request) (*bq.QueryRequest, *apiError) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, errInvalid("reading the request: %v", err)
	}
	var req bq.QueryRequest
	var raw struct {
		QueryParameters []rawParam `json:"queryParameters"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, errInvalid("Invalid JSON payload received: %v", err)
	}
	_ = json.Unmarshal(body, &raw)
	markNulls(req.QueryParameters, raw.QueryParameters)
	return &req, nil
}
