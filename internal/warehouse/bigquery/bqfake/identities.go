package bqfake

import (
	"regexp"
	"slices"
	"strings"
)

// AddIdentities makes Google identities exist: members such as
// user:ann@example.com, group:analysts@example.com or
// serviceAccount:bot@p.iam.gserviceaccount.com. IAM refuses a policy or a
// dataset access entry naming a user, group or service account that does
// not exist, and so does the stand-in; the project's own user (SetUser)
// exists from the start.
func (s *Server) AddIdentities(members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range members {
		s.identities[strings.ToLower(m)] = true
	}
}

// memberPattern is the shape of an IAM member; specialGroup: and the
// entity kinds of dataset access entries are not members.
var memberPattern = regexp.MustCompile(`^((user|group|serviceAccount):[^\s:@]+@[^\s:@]+\.[^\s:@]+|domain:[a-z0-9.-]+\.[a-z]+|allUsers|allAuthenticatedUsers)$`)

// checkMember refuses a malformed member and an identity that does not
// exist, with IAM's messages.
func (s *Server) checkMember(m string) *apiError {
	if !memberPattern.MatchString(m) {
		return errInvalid("Invalid member: %s. Members must be of the form user:, group:, serviceAccount: or domain:, or allUsers/allAuthenticatedUsers.", m)
	}
	kind, email, found := strings.Cut(m, ":")
	if !found || kind == "domain" || s.identities[strings.ToLower(m)] {
		return nil
	}
	noun := map[string]string{"user": "User", "group": "Group", "serviceAccount": "Service account"}[kind]
	return errInvalid("%s %s does not exist.", noun, email)
}

// Roles the stand-in knows, by the resource they can be granted on. IAM
// refuses a role that does not exist or does not apply to the resource.
var (
	tableRoles = []string{
		"roles/bigquery.admin", "roles/bigquery.dataEditor", "roles/bigquery.dataOwner", "roles/bigquery.dataViewer",
		"roles/bigquery.filteredDataViewer", "roles/bigquery.metadataViewer", "roles/bigquery.user",
		"roles/owner", "roles/editor", "roles/viewer",
	}
	policyTagRoles = []string{
		"roles/datacatalog.categoryFineGrainedReader", "roles/datacatalog.categoryAdmin", "roles/datacatalog.viewer",
		"roles/owner", "roles/editor", "roles/viewer",
	}
)

// checkRole refuses a role not in known, the way IAM words it.
func checkRole(role string, known []string) *apiError {
	if slices.Contains(known, role) {
		return nil
	}
	return errInvalid("Role %s is not supported for this resource.", role)
}
