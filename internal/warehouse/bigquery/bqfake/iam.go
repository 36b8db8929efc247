package bqfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strings"

	bq "google.golang.org/api/bigquery/v2"
)

// tablesIAM serves POST .../tables/{table}:getIamPolicy and :setIamPolicy.
func (s *Server) tablesIAM(r *http.Request) (any, *apiError) {
	dataset := r.PathValue("dataset")
	name, method, ok := strings.Cut(r.PathValue("table"), ":")
	if !ok {
		return nil, newError("notImplemented", "the BigQuery stand-in does not implement POST %s", r.URL.Path)
	}
	t, err := s.lookup(dataset, name)
	if err != nil {
		return nil, err
	}
	key := tableKey(dataset, name)
	switch method {
	case "getIamPolicy":
		if err := s.check("bigquery.tables.getIamPolicy", key); err != nil {
			return nil, err
		}
		return policyView(t.policy), nil
	case "setIamPolicy":
		if err := s.check("bigquery.tables.setIamPolicy", key); err != nil {
			return nil, err
		}
		var req bq.SetIamPolicyRequest
		if err := decode(r, &req); err != nil {
			return nil, err
		}
		return s.setPolicy(t, req.Policy)
	}
	return nil, newError("notImplemented", "the BigQuery stand-in does not implement %s", method)
}

// setPolicy replaces the table's policy.
func (s *Server) setPolicy(t *table, p *bq.Policy) (any, *apiError) {
	next, err := s.replacePolicy(t.policy, p, tableRoles)
	if err != nil {
		return nil, err
	}
	t.policy = next
	return policyView(next), nil
}

// replacePolicy checks p against cur and returns what replaces cur. A
// policy carrying an etag that is not the current one was read before
// someone else's change: 409, as in IAM. Every role must be one of roles,
// every member an identity that exists.
func (s *Server) replacePolicy(cur, p *bq.Policy, roles []string) (*bq.Policy, *apiError) {
	if p == nil {
		return nil, errInvalid("Policy is required")
	}
	if p.Etag != "" && p.Etag != policyEtag(cur) {
		return nil, newError("aborted", "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
	}
	if p.Version > 1 {
		return nil, errInvalid("Policy version %d is not supported here: conditional bindings are not.", p.Version)
	}
	next := &bq.Policy{Version: 1}
	for _, b := range p.Bindings {
		if len(b.Members) == 0 {
			continue
		}
		if err := checkRole(b.Role, roles); err != nil {
			return nil, err
		}
		for _, m := range b.Members {
			if err := s.checkMember(m); err != nil {
				return nil, err
			}
		}
		next.Bindings = append(next.Bindings, &bq.Binding{Role: b.Role, Members: append([]string(nil), b.Members...)})
	}
	next.Etag = nextPolicyEtag(cur)
	return next, nil
}

// policyView is the policy as sent: bindings and members sorted.
func policyView(p *bq.Policy) *bq.Policy {
	out := &bq.Policy{Version: 1, Etag: policyEtag(p)}
	for _, b := range p.Bindings {
		members := append([]string(nil), b.Members...)
		sort.Strings(members)
		out.Bindings = append(out.Bindings, &bq.Binding{Role: b.Role, Members: members})
	}
	sort.Slice(out.Bindings, func(i, j int) bool { return out.Bindings[i].Role < out.Bindings[j].Role })
	return out
}

// policyEtag is the policy's etag; a new policy starts at revision 0.
func policyEtag(p *bq.Policy) string {
	if p.Etag == "" {
		return base64.StdEncoding.EncodeToString([]byte("policy-0"))
	}
	return p.Etag
}

func nextPolicyEtag(p *bq.Policy) string {
	raw, _ := base64.StdEncoding.DecodeString(policyEtag(p))
	var n int
	_, _ = fmt.Sscanf(string(raw), "policy-%d", &n)
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "policy-%d", n+1))
}
