package bqfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	bq "google.golang.org/api/bigquery/v2"
)

// datasetAccess is a dataset's access list and its revision, for the etag.
type datasetAccess struct {
	entries []*bq.DatasetAccess
	version int
}

func (d *datasetAccess) etag() string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "dataset-%d", d.version))
}

// defaultAccess is what BigQuery puts on a new dataset.
func defaultAccess(creator string) []*bq.DatasetAccess {
	return []*bq.DatasetAccess{
		{Role: "OWNER", SpecialGroup: "projectOwners"},
		{Role: "OWNER", UserByEmail: creator},
		{Role: "READER", SpecialGroup: "projectReaders"},
		{Role: "WRITER", SpecialGroup: "projectWriters"},
	}
}

// datasetsGet is datasets.get: the dataset with its access list.
func (s *Server) datasetsGet(r *http.Request) (any, *apiError) {
	id := r.PathValue("dataset")
	a, err := s.datasetAccessOf(id)
	if err != nil {
		return nil, err
	}
	if err := s.check("bigquery.datasets.get", ""); err != nil {
		return nil, err
	}
	return s.datasetView(id, a), nil
}

// datasetsPatch is datasets.patch of the access list (the one field dre
// changes), guarded by If-Match: a stale etag is BigQuery's 412.
func (s *Server) datasetsPatch(r *http.Request) (any, *apiError) {
	id := r.PathValue("dataset")
	a, err := s.datasetAccessOf(id)
	if err != nil {
		return nil, err
	}
	if err := s.check("bigquery.datasets.update", ""); err != nil {
		return nil, err
	}
	if m := r.Header.Get("If-Match"); m != "" && m != a.etag() {
		return nil, newError("conditionNotMet", "Precondition check failed.")
	}
	var body map[string]json.RawMessage
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	for field := range body {
		if !slices.Contains([]string{"access", "datasetReference", "etag", "kind", "id"}, field) {
			return nil, errInvalid("the BigQuery stand-in cannot patch dataset field %s", field)
		}
	}
	if raw, ok := body["access"]; ok {
		var entries []*bq.DatasetAccess
		if err := json.Unmarshal(raw, &entries); err != nil {
			return nil, errInvalid("Invalid value for access: %v", err)
		}
		for _, e := range entries {
			if err := s.checkAccessEntry(e); err != nil {
				return nil, err
			}
		}
		a.entries, a.version = entries, a.version+1
	}
	return s.datasetView(id, a), nil
}

func (s *Server) datasetAccessOf(id string) (*datasetAccess, *apiError) {
	a, ok := s.access[id]
	if !s.datasets[id] || !ok {
		return nil, errNotFound("Not found: Dataset %s:%s", s.Project, id)
	}
	return a, nil
}

func (s *Server) datasetView(id string, a *datasetAccess) *bq.Dataset {
	return &bq.Dataset{
		Kind: "bigquery#dataset", Id: s.Project + ":" + id, Etag: a.etag(), Location: s.Location,
		DatasetReference: &bq.DatasetReference{ProjectId: s.Project, DatasetId: id},
		Access:           slices.Clone(a.entries),
	}
}

// Dataset access roles: the basic ones, and the IAM roles of tables.
var basicDatasetRoles = []string{"OWNER", "WRITER", "READER"}

var specialGroups = []string{"projectOwners", "projectReaders", "projectWriters", "allAuthenticatedUsers"}

// checkAccessEntry refuses an entry that names no entity or several, an
// unknown role, special group or identity, as BigQuery does.
func (s *Server) checkAccessEntry(e *bq.DatasetAccess) *apiError {
	entities := 0
	for _, v := range []string{e.UserByEmail, e.GroupByEmail, e.Domain, e.SpecialGroup, e.IamMember} {
		if v != "" {
			entities++
		}
	}
	if e.View != nil || e.Routine != nil || e.Dataset != nil {
		entities++
	}
	if entities != 1 {
		return errInvalid("Invalid access entry: exactly one of userByEmail, groupByEmail, domain, specialGroup, iamMember, view, routine or dataset is required.")
	}
	if e.View == nil && e.Routine == nil && e.Dataset == nil {
		if err := checkRole(e.Role, append(slices.Clone(basicDatasetRoles), tableRoles...)); err != nil {
			return err
		}
	}
	switch {
	case e.UserByEmail != "":
		if s.checkMember("user:"+e.UserByEmail) != nil && s.checkMember("serviceAccount:"+e.UserByEmail) != nil {
			return errInvalid("User %s does not exist.", e.UserByEmail)
		}
	case e.GroupByEmail != "":
		return s.checkMember("group:" + e.GroupByEmail)
	case e.Domain != "":
		return s.checkMember("domain:" + e.Domain)
	case e.IamMember != "":
		return s.checkMember(e.IamMember)
	case e.SpecialGroup != "" && !slices.Contains(specialGroups, e.SpecialGroup):
		return errInvalid("Invalid special group: %s.", strings.TrimSpace(e.SpecialGroup))
	}
	return nil
}
