// Package uilink builds links into the Temporal Web UI, so that every
// message dre prints or posts points at the run it talks about.
package uilink

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultBase is the UI that `dre dev` serves.
const DefaultBase = "http://127.0.0.1:8233"

// Run links one run's history.
func Run(base, namespace, workflowID, runID string) string {
	return Workflow(base, namespace, workflowID) + "/" + url.PathEscape(runID) + "/history"
}

// Workflow links a workflow ID; the UI opens its latest run. dre's IDs
// contain slashes (triage/orders), which must be escaped in the path.
func Workflow(base, namespace, workflowID string) string {
	if base == "" {
		base = DefaultBase
	}
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", strings.TrimSuffix(base, "/"), url.PathEscape(namespace), url.PathEscape(workflowID))
}

// Sibling turns link, which Workflow made for workflowID, into the link of
// otherID in the same UI and namespace; ok is false when link is not one.
// Workflows use it: they cannot read the UI base, only their own link.
func Sibling(link, workflowID, otherID string) (string, bool) {
	base, ok := strings.CutSuffix(link, "/workflows/"+url.PathEscape(workflowID))
	if !ok || link == "" {
		return "", false
	}
	return base + "/workflows/" + url.PathEscape(otherID), true
}
