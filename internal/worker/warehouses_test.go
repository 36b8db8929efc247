package worker

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/warehouse"
)

func TestWarehousesUnknownNameListsKnown(t *testing.T) {
	cfg := &config.Config{Warehouses: map[string]config.Warehouse{
		"demo": {Postgres: &config.Postgres{Embedded: true}},
		"lake": {BigQuery: &config.BigQuery{Project: "my-project"}},
	}}
	reg := Warehouses(cfg, "")
	_, err := reg.Get(context.Background(), "lakehouse")
	var unknown *warehouse.UnknownWarehouseError
	if !errors.As(err, &unknown) || strings.Join(unknown.Known, ",") != "demo,lake" {
		t.Fatalf("got %v, want an unknown-warehouse error listing demo,lake", err)
	}
}

func TestEmbeddedWarehouseOutsideDevSaysWhatToDo(t *testing.T) {
	cfg := &config.Config{Warehouses: map[string]config.Warehouse{
		"demo": {Postgres: &config.Postgres{Embedded: true}},
	}}
	_, err := Warehouses(cfg, "").Get(context.Background(), "demo")
	if err == nil || !strings.Contains(err.Error(), "dsn: {env: NAME}") {
		t.Fatalf("got %v, want advice to give a dsn", err)
	}
}

func TestBigQueryMissingCredentialsFileFailsClearly(t *testing.T) {
	cfg := &config.Config{Warehouses: map[string]config.Warehouse{
		"lake": {BigQuery: &config.BigQuery{Project: "my-project", CredentialsFile: t.TempDir() + "/missing.json"}},
	}}
	_, err := Warehouses(cfg, "").Get(context.Background(), "lake")
	if err == nil || !strings.Contains(err.Error(), `warehouse "lake"`) || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("got %v, want an error naming the warehouse and the key file", err)
	}
}
