package charttest

import (
	"fmt"
	"regexp"
	"testing"

	"sigs.k8s.io/yaml"
)

// secretName matches variable names that hold credentials.
var secretName = regexp.MustCompile(`TOKEN|SECRET|KEY|DSN|PASSWORD`)

func TestSecretsComeFromTheExistingSecretNeverArgs(t *testing.T) {
	m := mustRender(t, map[string]any{"existingSecret": "team-dre"})
	for _, component := range []string{"worker", "gateway"} {
		c := container(t, m.deployment(t, component))
		secrets := 0
		for _, e := range c["env"].([]any) {
			name := fmt.Sprint(get(e, "name"))
			if !secretName.MatchString(name) {
				continue
			}
			secrets++
			if get(e, "value") != nil || get(e, "valueFrom", "secretKeyRef", "name") != "team-dre" {
				t.Errorf("%s: %s is %v; credentials come from existingSecret through valueFrom.secretKeyRef", component, name, e)
			}
		}
		if secrets == 0 {
			t.Errorf("%s reads no credential; the check above proved nothing", component)
		}
		for _, a := range c["args"].([]any) {
			if secretName.MatchString(fmt.Sprint(a)) {
				t.Errorf("%s: argument %q looks like a credential; arguments are visible to every process on the node", component, a)
			}
		}
	}
}

// TestConfigReferencesAreDefinedInEachDeployment: every {env: NAME} of
// dre.yaml is a variable both Deployments define; dre resolves every
// reference at start, so one nobody provides would stop the pod.
func TestConfigReferencesAreDefinedInEachDeployment(t *testing.T) {
	m := mustRender(t, nil)
	refs := envRefs(renderedConfig(t, m))
	if len(refs) == 0 {
		t.Fatal("dre.yaml references no variable; the check would prove nothing")
	}
	for _, component := range []string{"worker", "gateway"} {
		defined := map[string]bool{}
		for _, e := range container(t, m.deployment(t, component))["env"].([]any) {
			defined[fmt.Sprint(get(e, "name"))] = true
		}
		for _, ref := range refs {
			if !defined[ref] {
				t.Errorf("%s: dre.yaml reads {env: %s}, which the Deployment does not define", component, ref)
			}
		}
	}
}

// envRefs collects the NAME of every {env: NAME} in a decoded document.
func envRefs(v any) []string {
	var refs []string
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["env"].(string); ok && len(v) == 1 {
			return []string{name}
		}
		for _, x := range v {
			refs = append(refs, envRefs(x)...)
		}
	case []any:
		for _, x := range v {
			refs = append(refs, envRefs(x)...)
		}
	}
	return refs
}

// renderedConfig decodes the ConfigMap's dre.yaml.
func renderedConfig(t *testing.T, m manifests) map[string]any {
	t.Helper()
	var cfg map[string]any
	s, _ := get(m["ConfigMap/dre-config"], "data", "dre.yaml").(string)
	if err := yaml.UnmarshalStrict([]byte(s), &cfg); err != nil || cfg == nil {
		t.Fatalf("rendered dre.yaml: %v", err)
	}
	return cfg
}
