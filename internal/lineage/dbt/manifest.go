// Package dbt reads a dbt manifest (target/manifest.json, schema v9 to
// v12) and turns its models, seeds, snapshots and sources into catalog
// datasets whose upstream: entries are the manifest's dependencies.
package dbt

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// The manifest schema versions this package reads. v12 covers dbt Core
// 1.8 onwards; some dbt documentation calls the same schema v20.
const (
	MinVersion = 9
	MaxVersion = 12
	// aliasOfMax is a version number published for the v12 schema.
	aliasOfMax = 20
)

// manifest is the part of a dbt manifest dre reads. Fields added in later
// versions are simply absent from earlier ones.
type manifest struct {
	Metadata struct {
		SchemaVersion string `json:"dbt_schema_version"`
		DbtVersion    string `json:"dbt_version"`
		ProjectName   string `json:"project_name"`
	} `json:"metadata"`
	Nodes   map[string]node   `json:"nodes"`
	Sources map[string]source `json:"sources"`
	Groups  map[string]group  `json:"groups"`
}

// node is a model, seed, snapshot, test or other resource under nodes.
type node struct {
	UniqueID        string         `json:"unique_id"`
	ResourceType    string         `json:"resource_type"`
	Name            string         `json:"name"`
	PackageName     string         `json:"package_name"`
	Database        string         `json:"database"`
	Schema          string         `json:"schema"`
	Alias           string         `json:"alias"`
	RelationName    *string        `json:"relation_name"`
	Description     string         `json:"description"`
	Meta            map[string]any `json:"meta"`
	Group           *string        `json:"group"`
	DeprecationDate *string        `json:"deprecation_date"` // v10+
	Version         any            `json:"version"`          // string, number or null
	DependsOn       struct {
		Nodes []string `json:"nodes"`
	} `json:"depends_on"`
	Config nodeConfig `json:"config"`
}

// nodeConfig is the part of a node's config dre reads. partition_by is an
// adapter's own key, so its shape is checked when it is used.
type nodeConfig struct {
	Materialized string          `json:"materialized"`
	UniqueKey    json.RawMessage `json:"unique_key"` // string, [string] or null
	PartitionBy  json.RawMessage `json:"partition_by"`
	EventTime    *string         `json:"event_time"` // v12 microbatch
	BatchSize    *string         `json:"batch_size"` // v12 microbatch
	Meta         map[string]any  `json:"meta"`
}

// source is a table dbt reads but does not build.
type source struct {
	UniqueID      string         `json:"unique_id"`
	PackageName   string         `json:"package_name"`
	Database      string         `json:"database"`
	Schema        string         `json:"schema"`
	Identifier    string         `json:"identifier"`
	RelationName  *string        `json:"relation_name"`
	SourceName    string         `json:"source_name"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	LoadedAtField *string        `json:"loaded_at_field"`
	Meta          map[string]any `json:"meta"`
	SourceMeta    map[string]any `json:"source_meta"`
}

// group owns models; a model's group field holds the group's name.
type group struct {
	Name  string `json:"name"`
	Owner struct {
		Name  *string         `json:"name"`
		Email json.RawMessage `json:"email"` // string, or [string] from v12
	} `json:"owner"`
}

// schemaVersion reads v<N> from metadata.dbt_schema_version, a URL like
// https://schemas.getdbt.com/dbt/manifest/v12.json.
var schemaVersion = regexp.MustCompile(`/manifest/v(\d+)\.json$`)

// parse decodes a manifest and checks its schema version. A manifest
// that does not decode is checked for its version first, so that one of
// another version fails with a message naming it rather than with a
// confusing field error; a good one is read once, which is most of the
// cost of loading a large project.
func parse(data []byte) (*manifest, int, error) {
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		if _, verr := versionOf(data); verr != nil {
			return nil, 0, verr
		}
		return nil, 0, fmt.Errorf("reading the manifest: %w", err)
	}
	version, err := checkSchemaURL(m.Metadata.SchemaVersion)
	if err != nil {
		return nil, 0, err
	}
	return &m, version, nil
}

// versionOf reads only metadata.dbt_schema_version and checks it.
func versionOf(data []byte) (int, error) {
	var head struct {
		Metadata struct {
			SchemaVersion string `json:"dbt_schema_version"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return 0, fmt.Errorf("not a dbt manifest: %w", err)
	}
	return checkSchemaURL(head.Metadata.SchemaVersion)
}

// checkSchemaURL requires a schema URL, then a supported version.
func checkSchemaURL(url string) (int, error) {
	if url == "" {
		return 0, errors.New("not a dbt manifest: metadata.dbt_schema_version is missing; pass the target/manifest.json that dbt parse, compile or build writes")
	}
	return checkVersion(url)
}

// checkVersion returns the supported schema version url names.
func checkVersion(url string) (int, error) {
	match := schemaVersion.FindStringSubmatch(url)
	if match == nil {
		return 0, fmt.Errorf("dbt_schema_version %q is not a manifest schema URL like https://schemas.getdbt.com/dbt/manifest/v12.json", url)
	}
	v, _ := strconv.Atoi(match[1])
	switch {
	case v == aliasOfMax:
		return MaxVersion, nil
	case v < MinVersion:
		return 0, fmt.Errorf("dbt manifest schema v%d is older than dre reads (v%d to v%d, dbt Core 1.5 and later); regenerate it with a newer dbt (dbt parse)", v, MinVersion, MaxVersion)
	case v > MaxVersion:
		return 0, fmt.Errorf("dbt manifest schema v%d is newer than this dre reads (v%d to v%d); upgrade dre, or generate the manifest with dbt Core 1.8 to 1.11", v, MinVersion, MaxVersion)
	}
	return v, nil
}
