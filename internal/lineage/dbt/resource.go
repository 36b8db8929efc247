package dbt

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

// resource is a model, seed, snapshot or source in one shape.
type resource struct {
	id, kind, pkg    string
	name             string // the dbt name; for a source, source_name + "_" + name
	database, schema string
	identifier       string  // alias, or a source's identifier
	relation         *string // relation_name, nil when dbt gives none
	description      string
	meta             map[string]any
	group            string
	deprecation      string
	deps             []string
	materialized     string
	uniqueKey        json.RawMessage
	partitionBy      json.RawMessage
	eventTime        string
	batchSize        string
	loadedAt         string
}

// datasetKinds are the node resource types that are tables.
var datasetKinds = map[string]bool{"model": true, "seed": true, "snapshot": true}

// resources returns the manifest's tables (and ephemeral models) by
// unique_id. Tests, analyses, operations and the rest are left out.
func (m *manifest) resources() map[string]*resource {
	out := make(map[string]*resource, len(m.Nodes)+len(m.Sources))
	for id, n := range m.Nodes {
		if !datasetKinds[n.ResourceType] {
			continue
		}
		out[id] = fromNode(id, n)
	}
	for id, s := range m.Sources {
		out[id] = &resource{
			id: id, kind: "source", pkg: s.PackageName, name: s.SourceName + "_" + s.Name,
			database: s.Database, schema: s.Schema, identifier: s.Identifier, relation: s.RelationName,
			description: s.Description, meta: mergeMeta(s.SourceMeta, s.Meta), loadedAt: deref(s.LoadedAtField),
		}
	}
	return out
}

// fromNode turns a model, seed or snapshot into a resource.
func fromNode(id string, n node) *resource {
	name := n.Name
	if v := versionText(n.Version); v != "" {
		name += "_v" + v
	}
	identifier := n.Alias
	if identifier == "" {
		identifier = n.Name
	}
	return &resource{
		id: id, kind: n.ResourceType, pkg: n.PackageName, name: name,
		database: n.Database, schema: n.Schema, identifier: identifier, relation: n.RelationName,
		description: n.Description, meta: mergeMeta(n.Meta, n.Config.Meta), group: deref(n.Group),
		deprecation: deref(n.DeprecationDate), deps: n.DependsOn.Nodes,
		materialized: n.Config.Materialized, uniqueKey: n.Config.UniqueKey, partitionBy: n.Config.PartitionBy,
		eventTime: deref(n.Config.EventTime), batchSize: deref(n.Config.BatchSize),
	}
}

// ephemeral reports a model without a relation: dbt inlines it into the
// models that ref it, so lineage passes through it.
func (r *resource) ephemeral() bool {
	return r.materialized == "ephemeral" || (r.kind == "model" && r.relation == nil)
}

// table returns the resource's schema.table: the last two parts of
// relation_name when dbt gives one, else schema and alias (identifier).
func (r *resource) table() string {
	if r.relation != nil && *r.relation != "" {
		parts := splitRelation(*r.relation)
		if len(parts) >= 2 {
			return parts[len(parts)-2] + "." + parts[len(parts)-1]
		}
	}
	return r.schema + "." + r.identifier
}

// splitRelation splits a rendered relation such as "db"."schema"."t" or
// `project`.`dataset`.`t` into its unquoted parts; dots inside quotes do
// not split.
func splitRelation(rel string) []string {
	var parts []string
	var cur strings.Builder
	var quote rune
	for _, c := range rel {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '"' || c == '`':
			quote = c
		case c == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(c)
		}
	}
	return append(parts, cur.String())
}

// versionText renders a model version (string, number or null).
func versionText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strings.ReplaceAll(fmt.Sprint(v), ".", "_")
	}
	return ""
}

// mergeMeta returns b's keys over a's.
func mergeMeta(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
