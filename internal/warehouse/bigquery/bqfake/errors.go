package bqfake

import (
	"encoding/json"
	"fmt"
	"net/http"

	bq "google.golang.org/api/bigquery/v2"
)

// apiError is an error as BigQuery reports it: an HTTP status, a reason
// (notFound, invalidQuery, duplicate...) and a message.
type apiError struct {
	code    int
	reason  string
	message string
}

// Error formats the error for logs; clients see the JSON body.
func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.code, e.reason, e.message) }

// proto is the error as a job's errorResult.
func (e *apiError) proto() *bq.ErrorProto {
	return &bq.ErrorProto{Reason: e.reason, Message: e.message}
}

var codeOf = map[string]int{
	"notFound":        http.StatusNotFound,
	"invalid":         http.StatusBadRequest,
	"invalidQuery":    http.StatusBadRequest,
	"accessDenied":    http.StatusForbidden,
	"duplicate":       http.StatusConflict,
	"aborted":         http.StatusConflict,
	"conditionNotMet": http.StatusPreconditionFailed,
	"notImplemented":  http.StatusNotImplemented,
	"timeout":         http.StatusBadRequest,
	"backendError":    http.StatusInternalServerError,
}

func newError(reason, format string, args ...any) *apiError {
	return &apiError{code: codeOf[reason], reason: reason, message: fmt.Sprintf(format, args...)}
}

func errNotFound(format string, args ...any) *apiError { return newError("notFound", format, args...) }
func errInvalid(format string, args ...any) *apiError  { return newError("invalid", format, args...) }
func errQuery(format string, args ...any) *apiError    { return newError("invalidQuery", format, args...) }
func errExists(format string, args ...any) *apiError   { return newError("duplicate", format, args...) }

var statusNames = map[int]string{
	400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS",
	412: "FAILED_PRECONDITION", 500: "INTERNAL", 501: "UNIMPLEMENTED",
}

// writeError sends BigQuery's error body.
func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"error": map[string]any{
		"code":    e.code,
		"message": e.message,
		"errors":  []map[string]string{{"message": e.message, "domain": "global", "reason": e.reason}},
		"status":  statusNames[e.code],
	}}
	writeJSON(w, e.code, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
