package charttest

import (
	"strings"
	"testing"
)

// TestSchemaRefusesBadValues: each of these values files is refused by
// values.schema.json before anything renders, with a message naming the
// value.
func TestSchemaRefusesBadValues(t *testing.T) {
	cases := []struct {
		name   string
		values map[string]any
		says   string
	}{
		{"inline secret value", map[string]any{"worker": map[string]any{"secretEnv": []any{
			map[string]any{"name": "SLACK_BOT_TOKEN", "value": "xoxb-123"}}}}, "value"},
		{"secret outside secretEnv", map[string]any{"secrets": map[string]any{"slackBotToken": "xoxb-123"}}, "secrets"},
		{"port out of range", map[string]any{"worker": map[string]any{"metricsPort": 70000}}, "metricsPort"},
		{"port as text", map[string]any{"gateway": map[string]any{"port": "8080"}}, "port"},
		{"misspelt key", map[string]any{"worker": map[string]any{"replica": 3}}, "replica"},
		{"latest image", map[string]any{"image": map[string]any{"tag": "latest"}}, "tag"},
		{"listen address in config", map[string]any{"config": map[string]any{"worker": map[string]any{"metrics_listen": ":1"}}}, "config"},
		{"no memory limit", map[string]any{"gateway": map[string]any{"resources": map[string]any{"limits": nil}}}, "limits"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(c.values)
			if err == nil {
				t.Fatalf("values %v rendered; want them refused", c.values)
			}
			if !strings.Contains(err.Error(), "schema") || !strings.Contains(err.Error(), c.says) {
				t.Errorf("refused with %q; want a schema error naming %s", err, c.says)
			}
		})
	}
}

// TestSchemaAcceptsTheDefaultsAndOtherKeys: the refusals above are
// not the schema refusing everything.
func TestSchemaAcceptsTheDefaultsAndOtherKeys(t *testing.T) {
	for _, v := range []map[string]any{nil, {"worker": map[string]any{"secretEnv": []any{
		map[string]any{"name": "WAREHOUSE_DSN", "key": "dsn"}}}}} {
		if _, err := render(v); err != nil {
			t.Errorf("values %v: %v", v, err)
		}
	}
}
