package peers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// maxManagedIncidents is PagerDuty's limit of incidents in one PUT
// /incidents; more is a 413.
const maxManagedIncidents = 250

// authorized requires PagerDuty's REST authorization header with the one
// token the stand-in knows.
func (p *PagerDuty) authorized(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token token="+PagerDutyAPIToken {
			pdError(w, http.StatusUnauthorized, "Authentication failed", "send Authorization: Token token=<API token>")
			return
		}
		next(w, r)
	}
}

// listIncidents answers GET /incidents, filtered by incident_key and
// statuses[]. Like PagerDuty it only looks one month back unless
// date_range=all, and refuses since/until more than six months apart.
func (p *PagerDuty) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	statuses := q["statuses[]"]
	for _, s := range statuses {
		if !slices.Contains([]string{"triggered", "acknowledged", "resolved"}, s) {
			pdError(w, http.StatusBadRequest, "Invalid Input Provided", fmt.Sprintf("statuses[] %q is not triggered, acknowledged or resolved", s))
			return
		}
	}
	since, until, msg := listWindow(q.Get("date_range"), q.Get("since"), q.Get("until"))
	if msg != "" {
		pdError(w, http.StatusBadRequest, "Invalid Input Provided", msg)
		return
	}
	p.mu.Lock()
	var out []map[string]any
	for _, inc := range p.incidents {
		if (q.Get("incident_key") == "" || inc.Key == q.Get("incident_key")) &&
			(len(statuses) == 0 || slices.Contains(statuses, inc.Status)) &&
			!inc.CreatedAt.Before(since) && inc.CreatedAt.Before(until) {
			out = append(out, inc.json())
		}
	}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"incidents": out, "limit": 25, "offset": 0, "more": false})
}

// listWindow is the creation window GET /incidents searches.
func listWindow(dateRange, since, until string) (from, to time.Time, problem string) {
	now := time.Now().UTC()
	if dateRange == "all" {
		return time.Time{}, now.Add(time.Hour), ""
	}
	from, to = now.AddDate(0, -1, 0), now.Add(time.Hour)
	var err error
	if since != "" {
		if from, err = time.Parse(time.RFC3339, since); err != nil {
			return from, to, "since is not an ISO 8601 time"
		}
	}
	if until != "" {
		if to, err = time.Parse(time.RFC3339, until); err != nil {
			return from, to, "until is not an ISO 8601 time"
		}
	}
	if to.Sub(from) > 183*24*time.Hour {
		return from, to, "since and until are more than 6 months apart"
	}
	return from, to, ""
}

// manageRequest is the body of PUT /incidents.
type manageRequest struct {
	Incidents []struct {
		ID              string `json:"id"`
		Type            string `json:"type"`
		Status          string `json:"status"`
		EscalationLevel int    `json:"escalation_level"`
	} `json:"incidents"`
}

// manageIncidents answers PUT /incidents: a From header naming a known
// user, at most 250 incidents, each existing and open; a new escalation
// level notifies that level's responders.
func (p *PagerDuty) manageIncidents(w http.ResponseWriter, r *http.Request) {
	if from := r.Header.Get("From"); from != PagerDutyFrom {
		pdError(w, http.StatusBadRequest, "Invalid Input Provided",
			fmt.Sprintf("the From header must be the email address of a PagerDuty user, got %q", from))
		return
	}
	var req manageRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Incidents) == 0 {
		pdError(w, http.StatusBadRequest, "Invalid Input Provided", "want {\"incidents\":[...]}")
		return
	}
	if len(req.Incidents) > maxManagedIncidents {
		pdError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "at most 250 incidents per request")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var updated []map[string]any
	for _, u := range req.Incidents {
		inc, status, msg := p.checkManage(u.ID, u.Type, u.Status, u.EscalationLevel)
		if msg != "" {
			pdError(w, status, msg)
			return
		}
		if u.EscalationLevel > 0 {
			inc.Level, inc.Status = u.EscalationLevel, "triggered"
			p.notify(inc, "escalated")
		}
		if u.Status != "" {
			inc.Status = u.Status
		}
		updated = append(updated, inc.json())
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": updated})
}

// checkManage finds the incident of one update and says why PagerDuty
// would refuse the update, if it would. Callers hold p.mu.
func (p *PagerDuty) checkManage(id, typ, status string, level int) (*pdIncident, int, string) {
	i := slices.IndexFunc(p.incidents, func(inc *pdIncident) bool { return inc.ID == id })
	switch {
	case typ != "incident" && typ != "incident_reference":
		return nil, http.StatusBadRequest, "Invalid Input Provided: type must be incident or incident_reference"
	case i < 0:
		return nil, http.StatusNotFound, "Not Found: no incident " + id
	case p.incidents[i].Status == "resolved":
		return nil, http.StatusBadRequest, "Incident Already Resolved"
	case status != "" && status != "acknowledged" && status != "resolved":
		return nil, http.StatusBadRequest, "Invalid Input Provided: status must be acknowledged or resolved"
	case level < 0 || level > len(PagerDutyLevels):
		return nil, http.StatusBadRequest, "Invalid Input Provided: escalation_level " + strconv.Itoa(level) + " is not a level of the escalation policy"
	}
	return p.incidents[i], 0, ""
}

// getIncident answers GET /incidents/{id}.
func (p *PagerDuty) getIncident(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, inc := range p.incidents {
		if inc.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, map[string]any{"incident": inc.json()})
			return
		}
	}
	pdError(w, http.StatusNotFound, "Not Found")
}

// getPolicy answers GET /escalation_policies/{id}: every service's
// policy has the levels of PagerDutyLevels.
func (p *PagerDuty) getPolicy(w http.ResponseWriter, r *http.Request) {
	var rules []map[string]any
	for i, users := range PagerDutyLevels {
		var targets []map[string]string
		for _, u := range users {
			targets = append(targets, map[string]string{"id": u, "type": "user_reference"})
		}
		rules = append(rules, map[string]any{"id": fmt.Sprintf("PRULE%d", i+1), "escalation_delay_in_minutes": 30, "targets": targets})
	}
	writeJSON(w, http.StatusOK, map[string]any{"escalation_policy": map[string]any{
		"id": r.PathValue("id"), "type": "escalation_policy", "name": "dre stand-in", "num_loops": 0, "escalation_rules": rules,
	}})
}

// json is the incident as the REST API shows it.
func (inc *pdIncident) json() map[string]any {
	var assignments []map[string]any
	for _, u := range PagerDutyLevels[inc.Level-1] {
		assignments = append(assignments, map[string]any{"assignee": map[string]string{"id": u, "type": "user_reference"}})
	}
	return map[string]any{
		"id": inc.ID, "type": "incident", "incident_key": inc.Key, "status": inc.Status, "title": inc.Key,
		"created_at":        inc.CreatedAt.Format(time.RFC3339),
		"service":           map[string]string{"id": inc.ServiceID, "type": "service_reference"},
		"escalation_policy": map[string]string{"id": inc.PolicyID, "type": "escalation_policy_reference"},
		"assignments":       assignments,
		"alert_counts":      map[string]int{"all": inc.Alerts},
	}
}
