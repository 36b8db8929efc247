package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// composeFile is the part of the compose specification the file may use.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]struct{}       `yaml:"volumes"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	DependsOn   any               `yaml:"depends_on"` // a list or a map of conditions
	Entrypoint  []string          `yaml:"entrypoint"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Healthcheck *struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
	Ports           []string `yaml:"ports"`
	Volumes         []string `yaml:"volumes"`
	Restart         string   `yaml:"restart"`
	StopGracePeriod string   `yaml:"stop_grace_period"`
}

func loadCompose(t *testing.T) composeFile {
	var c composeFile
	decodeStrict(t, deployDir+"/compose/compose.yaml", &c)
	return c
}

func TestComposeRunsRealDreCommandsOnItsConfig(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"dre-worker", "dre-gateway"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("compose has no %s service", name)
		}
		cliAccepts(t, "compose "+name, s.Command)
		if s.Command[0] != strings.TrimPrefix(name, "dre-") {
			t.Errorf("compose %s runs dre %s", name, s.Command[0])
		}
	}
	data, err := os.ReadFile(deployDir + "/compose/dre.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) (string, bool) { v, ok := c.Services["dre-worker"].Environment[k]; return v, ok }
	if _, err := config.Parse("compose dre.yaml", data, env, config.LoadOptions{ResolveSecrets: true}); err != nil {
		t.Errorf("the worker cannot load compose/dre.yaml with its environment: %v", err)
	}
}

// saTypes are the temporal CLI's names of search attribute types.
var saTypes = map[enumspb.IndexedValueType]string{
	enumspb.INDEXED_VALUE_TYPE_KEYWORD:  "Keyword",
	enumspb.INDEXED_VALUE_TYPE_INT:      "Int",
	enumspb.INDEXED_VALUE_TYPE_DOUBLE:   "Double",
	enumspb.INDEXED_VALUE_TYPE_DATETIME: "Datetime",
	enumspb.INDEXED_VALUE_TYPE_BOOL:     "Bool",
	enumspb.INDEXED_VALUE_TYPE_TEXT:     "Text",
}

// TestSearchAttributeSetupMatchesTheWorkflows keeps the compose setup and
// the Helm notes registering exactly what the workflows upsert.
func TestSearchAttributeSetupMatchesTheWorkflows(t *testing.T) {
	setup := strings.Join(loadCompose(t).Services["temporal-setup"].Command, " ")
	notes, err := os.ReadFile(deployDir + "/temporal/README.md")
	if err != nil {
		t.Fatal(err)
	}
	pair := regexp.MustCompile(`--name (\w+) --type (\w+)`)
	want := map[string]string{}
	for name, typ := range workflows.SearchAttributes() {
		want[name] = saTypes[typ]
	}
	for where, text := range map[string]string{"compose temporal-setup": setup, "temporal/README.md": string(notes)} {
		got := map[string]string{}
		for _, m := range pair.FindAllStringSubmatch(text, -1) {
			got[m[1]] = m[2]
		}
		for name, typ := range want {
			if got[name] != typ {
				t.Errorf("%s registers %s as %q; the workflows need %q", where, name, got[name], typ)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s registers %d search attributes; the workflows use %d", where, len(got), len(want))
		}
	}
}

func TestImagesArePinnedAndTheContainerIsNonRoot(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		if _, tag, ok := strings.Cut(s.Image, ":"); !ok || tag == "" || tag == "latest" {
			t.Errorf("compose %s: image %q is not pinned to a tag", name, s.Image)
		}
	}
	data, err := os.ReadFile(deployDir + "/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	from := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(text, -1)
	if len(from) < 2 {
		t.Fatalf("Dockerfile has %d stages; want a build stage and a runtime stage", len(from))
	}
	for _, m := range from {
		if _, tag, ok := strings.Cut(m[1], ":"); !ok || tag == "latest" {
			t.Errorf("Dockerfile: base image %s is not pinned", m[1])
		}
	}
	if !strings.Contains(from[len(from)-1][1], "distroless") || !strings.Contains(text, "\nUSER 65532:65532\n") {
		t.Errorf("Dockerfile: the runtime stage must be distroless and run as UID 65532")
	}
	if !strings.Contains(text, `-ldflags "-s -w`) || !strings.Contains(text, `ENTRYPOINT ["/usr/local/bin/dre"]`) || !strings.Contains(text, "COPY --from=build /out/dre /usr/local/bin/dre") {
		t.Errorf("Dockerfile: want the stripped binary built to /out/dre, copied to and run as /usr/local/bin/dre")
	}
	if !strings.Contains(text, "go build -trimpath -tags nodev ") {
		t.Errorf("Dockerfile: want the production build (-tags nodev, as make build-prod), without the embedded Temporal server")
	}
}
