// Package charttest renders deploy/helm/dre with Helm's own Go libraries,
// no cluster needed, and checks the result against the kustomize base
// (deploy/k8s/base), which tests/deploy checks against dre itself: every
// command, flag, port, probe path, secret and config key the base uses is
// real, so a chart that renders what the base says inherits that proof.
// It is a Go module of its own because Helm's Kubernetes dependencies
// would move the pins of dre's go.mod.
package charttest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"sigs.k8s.io/yaml"
)

const (
	chartDir = "../dre"
	baseDir  = "../../k8s/base"
)

// object is one decoded manifest.
type object = map[string]any

// manifests are objects keyed "Kind/name".
type manifests map[string]object

// render renders the chart as `helm install dre` would with the given
// values over values.yaml, validating them against values.schema.json.
func render(overrides map[string]any) (manifests, error) {
	chrt, err := loader.Load(chartDir)
	if err != nil {
		return nil, err
	}
	opts := chartutil.ReleaseOptions{Name: "dre", Namespace: "dre", Revision: 1, IsInstall: true}
	vals, err := chartutil.ToRenderValuesWithSchemaValidation(chrt, overrides, opts, chartutil.DefaultCapabilities, false)
	if err != nil {
		return nil, err
	}
	files, err := engine.Engine{Strict: true}.Render(chrt, vals)
	if err != nil {
		return nil, err
	}
	out := manifests{}
	for name, text := range files {
		if filepath.Ext(name) != ".yaml" {
			continue
		}
		for _, doc := range strings.Split(text, "\n---") {
			if err := out.add(name, doc); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// mustRender renders or fails the test.
func mustRender(t *testing.T, overrides map[string]any) manifests {
	t.Helper()
	m, err := render(overrides)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return m
}

func (m manifests) add(file, doc string) error {
	var o object
	if err := yaml.UnmarshalStrict([]byte(doc), &o); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(o) == 0 {
		return nil
	}
	key := fmt.Sprintf("%s/%s", o["kind"], get(o, "metadata", "name"))
	if _, dup := m[key]; dup {
		return fmt.Errorf("%s: %s rendered twice", file, key)
	}
	m[key] = o
	return nil
}

// loadBase decodes every manifest of the kustomize base the same way.
func loadBase(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob(baseDir + "/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no kustomize base at %s: %v", baseDir, err)
	}
	m := manifests{}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.add(f, string(data)); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// get walks nested maps by key; a missing step yields nil.
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// container returns the first container of a Deployment.
func container(t *testing.T, d object) object {
	t.Helper()
	cs, _ := get(d, "spec", "template", "spec", "containers").([]any)
	if len(cs) == 0 {
		t.Fatalf("%v has no containers", get(d, "metadata", "name"))
	}
	return cs[0].(object)
}

// deployment returns the rendered Deployment dre-<component>.
func (m manifests) deployment(t *testing.T, component string) object {
	t.Helper()
	d := m["Deployment/dre-"+component]
	if d == nil {
		t.Fatalf("no Deployment dre-%s rendered; have %v", component, m.keys())
	}
	return d
}

func (m manifests) keys() []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
