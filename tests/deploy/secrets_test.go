package deploy

import (
	"regexp"
	"testing"

	"github.com/dre-dev/dre/internal/config"
)

// secretName matches variable names that hold credentials.
var secretName = regexp.MustCompile(`TOKEN|SECRET|KEY|DSN|PASSWORD`)

func TestSecretsComeFromSecretRefsNeverArgs(t *testing.T) {
	for component, d := range loadBase(t).deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, e := range c.Env {
				if secretName.MatchString(e.Name) && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
					t.Errorf("%s: %s is set inline; credentials come from a Secret through valueFrom.secretKeyRef", component, e.Name)
				}
			}
			for _, a := range c.Args {
				if secretName.MatchString(a) {
					t.Errorf("%s: argument %q looks like a credential; arguments are visible to every process on the node", component, a)
				}
			}
		}
	}
}

// TestConfigMapLoadsInEachDeployment loads the ConfigMap's dre.yaml as
// `dre worker` and `dre gateway` do (every secret reference resolved) with
// only the variables each Deployment defines: a reference nobody provides
// would stop the pod at start.
func TestConfigMapLoadsInEachDeployment(t *testing.T) {
	b := loadBase(t)
	if len(b.configMaps) != 1 || b.configMaps[0].Data["dre.yaml"] == "" {
		t.Fatalf("want one ConfigMap holding dre.yaml, got %d", len(b.configMaps))
	}
	data := []byte(b.configMaps[0].Data["dre.yaml"])
	for component, d := range b.deployments {
		defined := map[string]bool{}
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			defined[e.Name] = true
		}
		env := func(k string) (string, bool) { return "set-by-" + k, defined[k] }
		cfg, err := config.Parse("configmap dre.yaml", data, env, config.LoadOptions{ResolveSecrets: true})
		if err != nil {
			t.Errorf("%s: %v", component, err)
			continue
		}
		if component == "worker" && cfg.Worker.MetricsListen == "" {
			t.Error("the ConfigMap turns the worker's metrics off; its probes would fail")
		}
	}
	if _, err := config.Parse("configmap dre.yaml", data, nil, config.LoadOptions{ResolveSecrets: true}); err == nil {
		t.Error("dre.yaml loads without any variable; the check above would prove nothing")
	}
}

func TestTemporalCloudOverlayAddsTheAPIKeyFromASecret(t *testing.T) {
	dir := deployDir + "/k8s/overlays/temporal-cloud"
	var k kustomization
	decodeStrict(t, dir+"/kustomization.yaml", &k)
	names := map[string]bool{}
	for _, d := range loadBase(t).deployments {
		names[d.Metadata.Name] = true
	}
	for _, p := range k.Patches {
		if !names[p.Target.Name] {
			t.Errorf("patch targets %s, which the base does not define", p.Target.Name)
		}
		var ops []jsonPatchOp
		decodeStrict(t, dir+"/"+p.Path, &ops)
		found := false
		for _, op := range ops {
			if op.Value.Name == "TEMPORAL_API_KEY" {
				found = op.Value.ValueFrom != nil && op.Value.ValueFrom.SecretKeyRef != nil && !op.Value.ValueFrom.SecretKeyRef.Optional
			}
		}
		if !found {
			t.Errorf("%s does not add TEMPORAL_API_KEY from a required secretKeyRef", p.Path)
		}
	}
	if len(k.Patches) != 2 {
		t.Errorf("overlay patches %d Deployments; want worker and gateway", len(k.Patches))
	}
}
