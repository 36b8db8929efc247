package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/internal/yamlnode"
)

// LoadOptions says how strict loading is.
type LoadOptions struct {
	// ResolveSecrets reads every secret from its variable or file and
	// reports the missing ones. Processes that use the credentials (the
	// worker, the gateway) want this; validating a file elsewhere does not.
	ResolveSecrets bool
	// AllowEmbedded accepts embedded: true, which only dre dev can honour
	// because it starts the embedded PostgreSQL cluster itself.
	AllowEmbedded bool
}

// Load reads and parses the dre.yaml at path; see Parse.
func Load(path string, env Env, opts LoadOptions) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config file %q not found; pass --config or set DRE_CONFIG, or run dre dev --demo for the built-in demo", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	return Parse(path, data, env, opts)
}

// Parse parses dre.yaml contents, applies the environment overrides and
// checks everything, including the dataset catalog. name is the file
// name used in problem positions. On failure the error is a *Problems
// listing every problem found. An empty file gives the defaults.
func Parse(name string, data []byte, env Env, opts LoadOptions) (*Config, error) {
	file, err := yamlnode.Parse(data)
	if err != nil {
		return nil, &Problems{syntaxProblem(name, err)}
	}
	d := newDecoder(name)
	var doc document
	if root := yamlnode.Body(file, d.secondDocument); root != nil {
		d.DecodeDocument(root, reflect.ValueOf(&doc).Elem())
	}
	cfg := fromDocument(name, doc)
	datasets := d.withManifest(cfg, doc.Datasets)
	cfg.Catalog = catalog.New(datasets)
	d.checkFile(cfg, datasets, len(doc.Datasets), opts)
	d.problems = append(d.problems, ApplyEnv(cfg, env)...)
	d.checkState(cfg.State, opts)
	d.checkTriage(cfg)
	if opts.ResolveSecrets {
		d.resolveSecrets(cfg, env)
	}
	fillDefaults(cfg)
	if len(d.problems) > 0 {
		sortProblems(d.problems)
		return nil, &d.problems
	}
	return cfg, nil
}

// secondDocument reports a document after the first: dre would ignore it.
func (d *decoder) secondDocument(body ast.Node) {
	d.addAt(body, "", "dre.yaml holds one YAML document; remove the --- and merge this one into the first")
}

// fromDocument turns the decoded file into a Config.
func fromDocument(name string, doc document) *Config {
	cfg := &Config{
		Path:       name,
		Temporal:   doc.Temporal,
		Warehouses: map[string]Warehouse{},
		State:      doc.State,
		Gateway:    doc.Gateway,
		Worker:     doc.Worker,
		Slack:      doc.Slack,
		PagerDuty:  doc.PagerDuty,
		Catalog:    catalog.New(doc.Datasets),
		People:     people.NewDirectory(doc.People, doc.Groups),
		Decisions:  doc.Decisions,
		Authz:      doc.Authz,
		Alerts:     doc.Alerts,
		Triage:     doc.Triage,
		Access:     doc.Access,
		Audit:      doc.Audit,
		SLO:        doc.SLO,
		Dbt:        doc.Dbt,
	}
	for whName, wh := range doc.Warehouses {
		wh.Name = whName
		cfg.Warehouses[whName] = wh
	}
	return cfg
}

// syntaxProblem turns a YAML parse error into a positioned problem.
func syntaxProblem(name string, err error) Problem {
	line, col, msg := yamlnode.SyntaxError(err)
	return Problem{File: name, Line: line, Column: col, Message: "invalid YAML: " + msg}
}
