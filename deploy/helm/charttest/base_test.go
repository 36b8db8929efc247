package charttest

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestDefaultsRenderTheKustomizeBase: with its default values the chart
// renders every object of deploy/k8s/base, field for field, except what a
// chart must own (its labels and selectors, the config checksum, the image
// and the worker's replica count, which its HPA owns).
func TestDefaultsRenderTheKustomizeBase(t *testing.T) {
	chart, base := mustRender(t, nil), loadBase(t)
	for key, want := range base {
		got := chart[key]
		if got == nil {
			t.Errorf("the chart renders no %s; the base has it", key)
			continue
		}
		if key == "ConfigMap/dre-config" {
			compareConfig(t, got, want)
			continue
		}
		g, w := comparable(t, got), comparable(t, want)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s differs from the base:\n chart: %s\n base:  %s", key, jsonOf(g), jsonOf(w))
		}
	}
	for key := range chart {
		if base[key] == nil {
			t.Errorf("the chart renders %s, which the base lacks: add it to both", key)
		}
	}
}

// comparable is a copy of o without the fields a chart owns.
func comparable(t *testing.T, o object) object {
	t.Helper()
	var c object
	if err := json.Unmarshal([]byte(jsonOf(o)), &c); err != nil {
		t.Fatal(err)
	}
	drop := func(m any, keys ...string) {
		if m, ok := m.(map[string]any); ok {
			for _, k := range keys {
				delete(m, k)
			}
		}
	}
	drop(get(c, "metadata"), "labels")
	drop(get(c, "spec"), "selector")
	drop(get(c, "spec", "template", "metadata"), "labels")
	drop(get(c, "spec", "template", "metadata", "annotations"), "checksum/config")
	if c["kind"] == "Deployment" {
		drop(container(t, c), "image")
		if get(c, "metadata", "name") == "dre-worker" {
			drop(get(c, "spec"), "replicas")
		}
	}
	return c
}

// compareConfig compares the two ConfigMaps' dre.yaml as data.
func compareConfig(t *testing.T, got, want object) {
	t.Helper()
	parse := func(o object) any {
		var v any
		s, _ := get(o, "data", "dre.yaml").(string)
		if err := yaml.UnmarshalStrict([]byte(s), &v); err != nil || v == nil {
			t.Fatalf("dre.yaml of %v: %v", get(o, "metadata", "name"), err)
		}
		return v
	}
	if g, w := parse(got), parse(want); !reflect.DeepEqual(g, w) {
		t.Errorf("the chart's dre.yaml differs from the base's:\n chart: %s\n base:  %s", jsonOf(g), jsonOf(w))
	}
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestImageIsThePinnedRelease: the default image is the tag the
// kustomization pins, so the chart and the base ship the same release.
func TestImageIsThePinnedRelease(t *testing.T) {
	var k struct {
		Images []struct {
			Name   string `json:"name"`
			NewTag string `json:"newTag"`
		} `json:"images"`
	}
	data, err := os.ReadFile(baseDir + "/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &k); err != nil || len(k.Images) != 1 {
		t.Fatalf("kustomization images: %v %v", k.Images, err)
	}
	want := k.Images[0].Name + ":" + k.Images[0].NewTag
	m := mustRender(t, nil)
	for _, c := range []string{"worker", "gateway"} {
		if got := container(t, m.deployment(t, c))["image"]; got != want {
			t.Errorf("%s image %v; the kustomization pins %s", c, got, want)
		}
	}
}
