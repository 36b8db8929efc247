package cli

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/dre-dev/dre/internal/uilink"

	"github.com/dre-dev/dre/internal/config"
)

// devConfigFile is where `dre dev` writes the built-in configuration it runs
// with, so that commands in another terminal see the same catalog.
var devConfigFile = filepath.Join(".dre", "dre.yaml")

// configPath finds the config file: --config, then $DRE_CONFIG, then
// ./dre.yaml, then (except for dre dev itself) the file dre dev wrote.
func (g *globals) configPath(includeDevCopy bool) string {
	if g.configFlag != "" {
		return g.configFlag
	}
	if p, ok := g.opts.Env("DRE_CONFIG"); ok && p != "" {
		return p
	}
	candidates := []string{"dre.yaml"}
	if includeDevCopy {
		candidates = append(candidates, devConfigFile)
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// loadConfig loads the config a client command needs. It does not resolve
// secrets other than Temporal's, so a laptop without the Slack token can
// still start a check.
func (g *globals) loadConfig() (*config.Config, error) {
	path := g.configPath(true)
	if path == "" {
		return nil, errors.New("no configuration found; pass --config dre.yaml, set DRE_CONFIG, or start `dre dev --demo` in this directory")
	}
	return config.Load(path, g.opts.Env, config.LoadOptions{AllowEmbedded: true})
}

// loadServiceConfig loads the config of a long-running service (worker,
// gateway): every secret must resolve, and embedded warehouses, which exist
// only under dre dev, are refused.
func (g *globals) loadServiceConfig() (*config.Config, error) {
	path := g.configPath(false)
	if path == "" {
		return nil, errors.New("no configuration found; pass --config dre.yaml or set DRE_CONFIG (see dre catalog schema for the format)")
	}
	cfg, err := config.Load(path, g.opts.Env, config.LoadOptions{ResolveSecrets: true})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// uiBaseURL is where run links point.
func (g *globals) uiBaseURL() string {
	if g.uiURL != "" {
		return g.uiURL
	}
	if u, ok := g.opts.Env("DRE_UI_URL"); ok && u != "" {
		return u
	}
	return "http://127.0.0.1:8233"
}

// runURL links a workflow run in the Temporal UI.
func (g *globals) runURL(namespace, workflowID, runID string) string {
	return uilink.Run(g.uiBaseURL(), namespace, workflowID, runID)
}

// workflowURL links a workflow ID (its latest run) in the Temporal UI.
func (g *globals) workflowURL(namespace, workflowID string) string {
	return uilink.Workflow(g.uiBaseURL(), namespace, workflowID)
}
