package bqfake

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	bq "google.golang.org/api/bigquery/v2"
	"google.golang.org/api/option"
)

// Server is the stand-in: an HTTP server on loopback with BigQuery's REST
// paths, and its state. Every request is served under one lock, so the
// state needs no finer locking.
type Server struct {
	// Project and Location are the one project and location served.
	Project  string
	Location string

	http *httptest.Server
	db   *sql.DB

	mu       sync.Mutex
	datasets map[string]bool
	access   map[string]*datasetAccess // by dataset
	tags     map[string]*bq.Policy     // policy tags' IAM, by resource name
	// identities are the users, groups and service accounts that exist.
	identities map[string]bool
	tables     map[string]*table // by "dataset.table"
	jobs       map[string]*job   // by job ID
	user       string
	denied     map[string]bool // "permission resource", resource "" for all
	requests   []Request
	every      int // every Nth query job answers "not complete" first
	queries    int
	seq        int
}

// Request is one HTTP request the stand-in received, and its answer.
type Request struct {
	Method string
	Path   string
	Status int
}

// Start starts a stand-in for project in location US. Close it when done.
func Start(project string) (*Server, error) {
	db, err := openDB()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Project: project, Location: "US", db: db,
		datasets: map[string]bool{}, tables: map[string]*table{}, jobs: map[string]*job{},
		access: map[string]*datasetAccess{}, tags: map[string]*bq.Policy{}, identities: map[string]bool{},
		user: "dre-tests@" + project + ".iam.gserviceaccount.com", denied: map[string]bool{}, every: 2,
	}
	s.identities["serviceaccount:"+strings.ToLower(s.user)] = true
	if err := s.createJobsView(); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.http = httptest.NewServer(s.routes())
	return s, nil
}

// Close stops the server and drops all state.
func (s *Server) Close() {
	s.http.Close()
	_ = s.db.Close()
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.http.URL }

// ClientOptions point a BigQuery client at the stand-in, without
// credentials.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.http.URL), option.WithoutAuthentication()}
}

// CreateDataset makes a dataset exist (datasets.insert is not served),
// with the access entries BigQuery gives a new dataset: the project's
// owners, writers and readers, and its creator (the user) as an owner.
func (s *Server) CreateDataset(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.datasets[id] = true
	s.access[id] = &datasetAccess{entries: defaultAccess(s.user)}
}

// SetUser sets the principal later jobs run as, as INFORMATION_SCHEMA.JOBS
// reports it in user_email.
func (s *Server) SetUser(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = email
}

// Deny takes a permission away, on one table ("dataset.table") or, with
// resource "", everywhere; calls that need it then fail with BigQuery's 403.
func (s *Server) Deny(permission, resource string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[permission+" "+resource] = true
}

// Allow gives back every permission Deny took.
func (s *Server) Allow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied = map[string]bool{}
}

// SetIncompleteEvery makes every nth query job answer its first status read
// (the jobs.query response, or the first getQueryResults or jobs.get) with
// "not complete"; 0 never does. The default is 2.
func (s *Server) SetIncompleteEvery(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.every = n
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// routes maps BigQuery's REST paths (as the client sends them to a bare
// endpoint: no /bigquery/v2 prefix) to handlers.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /projects/{project}/queries", s.handle(s.jobsQuery))
	mux.HandleFunc("GET /projects/{project}/queries/{job}", s.handle(s.getQueryResults))
	mux.HandleFunc("POST /projects/{project}/jobs", s.handle(s.jobsInsert))
	mux.HandleFunc("GET /projects/{project}/jobs/{job}", s.handle(s.jobsGet))
	mux.HandleFunc("POST /projects/{project}/datasets/{dataset}/tables", s.handle(s.tablesInsert))
	mux.HandleFunc("GET /projects/{project}/datasets/{dataset}/tables/{table}", s.handle(s.tablesGet))
	mux.HandleFunc("PATCH /projects/{project}/datasets/{dataset}/tables/{table}", s.handle(s.tablesPatch))
	mux.HandleFunc("DELETE /projects/{project}/datasets/{dataset}/tables/{table}", s.handle(s.tablesDelete))
	mux.HandleFunc("POST /projects/{project}/datasets/{dataset}/tables/{table}", s.handle(s.tablesIAM))
	mux.HandleFunc("GET /projects/{project}/datasets/{dataset}", s.handle(s.datasetsGet))
	mux.HandleFunc("PATCH /projects/{project}/datasets/{dataset}", s.handle(s.datasetsPatch))
	mux.HandleFunc("POST /v1/projects/{project}/locations/{location}/taxonomies/{taxonomy}/policyTags/{tag}", s.handle(s.policyTagIAM))
	mux.HandleFunc("/", s.handle(func(r *http.Request) (any, *apiError) {
		return nil, newError("notImplemented", "the BigQuery stand-in does not implement %s %s", r.Method, r.URL.Path)
	}))
	return mux
}

// handler serves one call: a response body or an error.
type handler func(r *http.Request) (any, *apiError)

// handle logs the request, serialises it with all others, checks the
// project and writes the answer.
func (s *Server) handle(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		var body any
		var err *apiError
		if p := r.PathValue("project"); p != "" && p != s.Project {
			err = errNotFound("Not found: Project %s", p)
		} else {
			body, err = h(r)
		}
		req := Request{Method: r.Method, Path: r.URL.Path, Status: http.StatusOK}
		switch {
		case err != nil:
			req.Status = err.code
			writeError(w, err)
		case body == nil:
			req.Status = http.StatusNoContent
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, http.StatusOK, body)
		}
		s.requests = append(s.requests, req)
	}
}

// decode reads a JSON request body.
func decode(r *http.Request, v any) *apiError {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return errInvalid("Invalid JSON payload received: %v", err)
	}
	return nil
}

// check fails with BigQuery's 403 when a permission was denied on the
// table (or everywhere). key is "dataset.table", or "" for the project.
func (s *Server) check(permission, key string) *apiError {
	if !s.denied[permission+" "] && (key == "" || !s.denied[permission+" "+key]) {
		return nil
	}
	switch {
	case key == "":
		return newError("accessDenied", "Access Denied: Project %s: User does not have %s permission in project %s.", s.Project, permission, s.Project)
	case permission == "bigquery.tables.getData":
		name := s.Project + ":" + key
		return newError("accessDenied", "Access Denied: Table %s: User does not have permission to query table %s, or perhaps it does not exist.", name, name)
	}
	name := s.Project + ":" + key
	return newError("accessDenied", "Access Denied: Table %s: Permission %s denied on table %s (or it may not exist).", name, permission, name)
}

// nextID makes job IDs and etags unique within the server.
func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%d_%d", prefix, time.Now().UnixNano()%1e6, s.seq)
}

// tableKey is the state's key of a table; sqlName is its SQLite table.
func tableKey(dataset, table string) string { return dataset + "." + table }

func (s *Server) sqlName(key string) string { return s.Project + "." + key }

// quoteIdent quotes a SQLite identifier.
func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
