package bqfake

import (
	"testing"

	"cloud.google.com/go/bigquery"
)

// StartForTest starts a stand-in for project with the given datasets and
// returns it with a real BigQuery client pointed at it; the test's cleanup
// closes both.
func StartForTest(t testing.TB, project string, datasets ...string) (*Server, *bigquery.Client) {
	t.Helper()
	srv, err := Start(project)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	for _, d := range datasets {
		srv.CreateDataset(d)
	}
	client, err := bigquery.NewClient(t.Context(), project, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return srv, client
}
