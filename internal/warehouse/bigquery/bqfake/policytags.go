package bqfake

import (
	"net/http"
	"strings"

	bq "google.golang.org/api/bigquery/v2"
)

// AddPolicyTag makes a Data Catalog policy tag exist, named
// projects/P/locations/L/taxonomies/T/policyTags/G, with an empty IAM
// policy. Only its IAM is served (getIamPolicy, setIamPolicy), under the
// Data Catalog API's paths (/v1/{resource}:method); the tag's project
// must be the stand-in's.
func (s *Server) AddPolicyTag(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tags[name]; !ok {
		s.tags[name] = &bq.Policy{Version: 1}
	}
}

// policyTagIAM serves POST /v1/projects/.../policyTags/{tag}:getIamPolicy
// and :setIamPolicy. The body shapes of Data Catalog's IAM methods are
// those of BigQuery's (a policy of bindings and an etag).
func (s *Server) policyTagIAM(r *http.Request) (any, *apiError) {
	id, method, ok := strings.Cut(r.PathValue("tag"), ":")
	if !ok {
		return nil, newError("notImplemented", "the BigQuery stand-in does not implement POST %s", r.URL.Path)
	}
	name := strings.Join([]string{"projects", r.PathValue("project"), "locations", r.PathValue("location"),
		"taxonomies", r.PathValue("taxonomy"), "policyTags", id}, "/")
	policy, found := s.tags[name]
	if !found {
		return nil, errNotFound("Requested entity was not found: policy tag %s", name)
	}
	switch method {
	case "getIamPolicy":
		if err := s.check("datacatalog.taxonomies.getIamPolicy", ""); err != nil {
			return nil, err
		}
		return policyView(policy), nil
	case "setIamPolicy":
		if err := s.check("datacatalog.taxonomies.setIamPolicy", ""); err != nil {
			return nil, err
		}
		var req bq.SetIamPolicyRequest
		if err := decode(r, &req); err != nil {
			return nil, err
		}
		next, err := s.replacePolicy(policy, req.Policy, policyTagRoles)
		if err != nil {
			return nil, err
		}
		s.tags[name] = next
		return policyView(next), nil
	}
	return nil, newError("notImplemented", "the BigQuery stand-in does not implement %s", method)
}
