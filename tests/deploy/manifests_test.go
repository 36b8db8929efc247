// Package deploy tests the deployment manifests of deploy/ against the code
// they deploy: every manifest decodes strictly, and every command, flag,
// port, probe path, secret and config key they use exists in dre.
package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

const (
	deployDir = "../../deploy"
	baseDir   = deployDir + "/k8s/base"
)

// decodeStrict decodes a YAML file, refusing unknown and duplicate keys.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalWithOptions(data, v, yaml.Strict()); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// base is the kustomize base, decoded by kind.
type base struct {
	kustomization kustomization
	deployments   map[string]*deployment // by component: worker, gateway
	services      []service
	configMaps    []configMap
	hpas          []hpa
	pdbs          []pdb
}

// loadBase decodes each resource the kustomization lists into the struct
// of its kind; a kind the test does not know fails it.
func loadBase(t *testing.T) *base {
	t.Helper()
	b := &base{deployments: map[string]*deployment{}}
	decodeStrict(t, baseDir+"/kustomization.yaml", &b.kustomization)
	for _, res := range b.kustomization.Resources {
		path := filepath.Join(baseDir, res)
		var h Header
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("kustomization lists %s: %v", res, err)
		}
		if err := yaml.Unmarshal(data, &h); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b.add(t, path, h.Kind)
	}
	return b
}

func (b *base) add(t *testing.T, path, kind string) {
	switch kind {
	case "Deployment":
		var d deployment
		decodeStrict(t, path, &d)
		b.deployments[d.Metadata.Labels["app.kubernetes.io/component"]] = &d
	case "Service":
		b.services = append(b.services, service{})
		decodeStrict(t, path, &b.services[len(b.services)-1])
	case "ConfigMap":
		b.configMaps = append(b.configMaps, configMap{})
		decodeStrict(t, path, &b.configMaps[len(b.configMaps)-1])
	case "HorizontalPodAutoscaler":
		b.hpas = append(b.hpas, hpa{})
		decodeStrict(t, path, &b.hpas[len(b.hpas)-1])
	case "PodDisruptionBudget":
		b.pdbs = append(b.pdbs, pdb{})
		decodeStrict(t, path, &b.pdbs[len(b.pdbs)-1])
	default:
		t.Fatalf("%s: kind %q is not checked by this test; add its struct", path, kind)
	}
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	b := loadBase(t)
	files, err := filepath.Glob(baseDir + "/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name := filepath.Base(f); name != "kustomization.yaml" && !slices.Contains(b.kustomization.Resources, name) {
			t.Errorf("%s is not in kustomization.yaml's resources, so it is never applied", name)
		}
	}
	if len(b.deployments) != 2 || b.deployments["worker"] == nil || b.deployments["gateway"] == nil {
		t.Fatalf("deployments by component: %v; want worker and gateway", b.deployments)
	}
}

func TestWorkloadsAreHardenedAndPinned(t *testing.T) {
	b := loadBase(t)
	tags := map[string]string{}
	for _, img := range b.kustomization.Images {
		tags[img.Name] = img.NewTag
	}
	for component, d := range b.deployments {
		pod := d.Spec.Template.Spec
		if !pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == 0 {
			t.Errorf("%s: the pod may run as root", component)
		}
		for _, c := range pod.Containers {
			name, tag, ok := strings.Cut(c.Image, ":")
			if !ok || tag == "" || tag == "latest" || tags[name] != tag {
				t.Errorf("%s: image %q is not pinned to the kustomization's tag %q", component, c.Image, tags[name])
			}
			if c.ReadinessProbe == nil || c.LivenessProbe == nil {
				t.Errorf("%s: container %s lacks a readiness or liveness probe", component, c.Name)
			}
			if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
				t.Errorf("%s: container %s lacks CPU/memory requests or a memory limit", component, c.Name)
			}
			if !c.SecurityContext.ReadOnlyRootFilesystem || !slices.Contains(c.SecurityContext.Capabilities.Drop, "ALL") {
				t.Errorf("%s: container %s has a writable root or keeps capabilities", component, c.Name)
			}
		}
	}
}

func TestAutoscalerAndBudgetsTargetTheDeployments(t *testing.T) {
	b := loadBase(t)
	byName := map[string]*deployment{}
	for _, d := range b.deployments {
		byName[d.Metadata.Name] = d
	}
	for _, h := range b.hpas {
		d := byName[h.Spec.ScaleTargetRef.Name]
		if d == nil || h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.MinReplicas < 2 || h.Spec.MaxReplicas < h.Spec.MinReplicas {
			t.Errorf("HPA %s targets %+v with %d..%d replicas; want an existing Deployment, at least 2", h.Metadata.Name, h.Spec.ScaleTargetRef, h.Spec.MinReplicas, h.Spec.MaxReplicas)
		}
	}
	covered := map[string]bool{}
	for _, p := range b.pdbs {
		for component, d := range b.deployments {
			if selects(p.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels) {
				covered[component] = true
				if p.Spec.MinAvailable >= d.Spec.Replicas {
					t.Errorf("PDB %s needs %d of %d %s pods: no node could ever drain", p.Metadata.Name, p.Spec.MinAvailable, d.Spec.Replicas, component)
				}
			}
		}
	}
	if !covered["worker"] || !covered["gateway"] {
		t.Errorf("PodDisruptionBudgets cover %v; want worker and gateway", covered)
	}
	for _, s := range b.services {
		if !selects(s.Spec.Selector, b.deployments["gateway"].Spec.Template.Metadata.Labels) {
			t.Errorf("Service %s selects %v, which are not the gateway's pod labels", s.Metadata.Name, s.Spec.Selector)
		}
	}
}

// selects reports whether every label of sel is on the pod.
func selects(sel, pod map[string]string) bool {
	for k, v := range sel {
		if pod[k] != v {
			return false
		}
	}
	return len(sel) > 0
}
