package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"

	"github.com/dre-dev/dre/internal/warehouse"
)

// ReadOnlyError rejects a statement Query will not run because BigQuery
// parsed it as something other than a SELECT.
type ReadOnlyError struct {
	// StatementType is BigQuery's name for it: INSERT, DELETE, SCRIPT...
	StatementType string
}

// Error says what BigQuery parsed the statement as.
func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("Query runs read-only statements only; BigQuery parsed this one as %s", e.StatementType)
}

// failure is what BigQuery said, whether as an HTTP error (googleapi) or
// as the error result of a finished job (bigquery.Error).
type failure struct {
	code    int
	reason  string
	message string
}

func classify(err error) (failure, bool) {
	var api *googleapi.Error
	if errors.As(err, &api) {
		f := failure{code: api.Code, message: api.Message}
		if len(api.Errors) > 0 {
			f.reason = api.Errors[0].Reason
		}
		return f, true
	}
	var job *bigquery.Error
	if errors.As(err, &job) {
		return failure{code: codeOfReason[job.Reason], reason: job.Reason, message: job.Message}, true
	}
	return failure{}, false
}

// codeOfReason gives job errors, which carry only a reason, the HTTP code
// the same problem has as a request error.
var codeOfReason = map[string]int{
	"notFound":     http.StatusNotFound,
	"accessDenied": http.StatusForbidden,
	"duplicate":    http.StatusConflict,
}

// op says what a call was doing, so an error can name the table and the
// permission it needed when BigQuery's message does not.
type op struct {
	kind       string // of the missing object: "table", "snapshot"...
	name       string
	permission string
}

func tableOp(ref warehouse.TableRef, permission string) op {
	return op{kind: "table", name: ref.String(), permission: permission + " on " + ref.String()}
}

// translate turns BigQuery's not-found and access-denied answers into the
// warehouse's error types; other errors pass through unchanged.
func translate(err error, o op) error {
	f, ok := classify(err)
	switch {
	case !ok:
		return err
	case isTimeout(f):
		return fmt.Errorf("BigQuery stopped the job at its timeout: %w (%w)", context.DeadlineExceeded, err)
	case f.code == http.StatusNotFound:
		return notFound(f.message, o)
	case f.code == http.StatusForbidden && isDenial(f.reason):
		return &warehouse.PermissionError{Privilege: permissionIn(f.message, o), Err: err}
	}
	return err
}

// isTimeout recognises a job BigQuery stopped at its JobTimeout, so that
// callers can tell a slow query (context.DeadlineExceeded) from a broken
// one.
func isTimeout(f failure) bool {
	return f.reason == "timeout" || strings.Contains(strings.ToLower(f.message), "timed out")
}

// isDenial separates a missing permission from the other 403s BigQuery
// sends: quotaExceeded and rateLimitExceeded are not fixed by a grant.
func isDenial(reason string) bool {
	return reason == "" || reason == "accessDenied" || reason == "forbidden"
}

var notFoundPattern = regexp.MustCompile(`Not found: (Table|Dataset|Job) (\S+?)(?:\s|$)`)

// notFound names the missing object: the caller's when it has one, else
// the one in BigQuery's message ("Not found: Table p:d.t was not found").
func notFound(message string, o op) error {
	if o.name != "" {
		return &warehouse.NotFoundError{Kind: o.kind, Name: o.name}
	}
	if m := notFoundPattern.FindStringSubmatch(message); m != nil {
		return &warehouse.NotFoundError{Kind: strings.ToLower(m[1]), Name: withoutProject(m[2])}
	}
	return &warehouse.NotFoundError{Kind: "object", Name: message}
}

// withoutProject turns BigQuery's project:dataset.table into
// dataset.table, as TableRef writes it.
func withoutProject(name string) string {
	if _, rest, ok := strings.Cut(name, ":"); ok {
		return rest
	}
	return name
}

var (
	namedPermission = regexp.MustCompile(`\b(?:bigquery|datacatalog|resourcemanager)\.[A-Za-z]+\.[A-Za-z]+\b`)
	queryDenied     = regexp.MustCompile(`permission to query table (\S+?),`)
)

// permissionIn finds the permission in a 403 message. BigQuery names it
// for most calls ("Permission bigquery.tables.get denied on table ...",
// "User does not have bigquery.jobs.create permission ..."), but not when a
// query reads a table it may not read, which needs bigquery.tables.getData.
func permissionIn(message string, o op) string {
	if p := namedPermission.FindString(message); p != "" {
		return p
	}
	if m := queryDenied.FindStringSubmatch(message); m != nil {
		return "bigquery.tables.getData on " + withoutProject(m[1])
	}
	if o.permission != "" {
		return o.permission
	}
	return "a permission BigQuery did not name (" + message + ")"
}

// isDuplicate reports BigQuery's 409 for an ID or name already taken.
func isDuplicate(err error) bool {
	f, ok := classify(err)
	return ok && (f.code == http.StatusConflict || f.reason == "duplicate")
}

// isPreconditionFailed reports a stale etag: someone changed the table or
// policy between our read and our write.
func isPreconditionFailed(err error) bool {
	f, ok := classify(err)
	return ok && f.code == http.StatusPreconditionFailed
}

// isMissing reports a not-found answer before translation.
func isMissing(err error) bool {
	f, ok := classify(err)
	return ok && f.code == http.StatusNotFound
}
