package catalog

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "90m", want: 90 * time.Minute},
		{in: "26h", want: 26 * time.Hour},
		{in: "28d", want: 28 * 24 * time.Hour},
		{in: "2w", want: 14 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1w2d3h4m", want: (9*24+3)*time.Hour + 4*time.Minute},
		{in: "1.5d", want: 36 * time.Hour},
		{in: "-30d", want: -30 * 24 * time.Hour},
		{in: "0", want: 0},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "", wantErr: true},
		{in: "-", wantErr: true},
		{in: "5", wantErr: true},
		{in: "d", wantErr: true},
		{in: "3 days", wantErr: true},
		{in: "1y", wantErr: true},
		{in: "1h-30m", wantErr: true},
		{in: "1..5d", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDuration(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got.Duration != tt.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got.Duration, tt.want)
		}
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{28 * 24 * time.Hour, "28d"},
		{14 * 24 * time.Hour, "14d"},
		{26 * time.Hour, "26h"},
		{36 * time.Hour, "36h"},
		{90 * time.Minute, "90m"},
		{10 * time.Minute, "10m"},
		{24*time.Hour + time.Minute, "1d1m"},
		{90 * time.Second, "90s"},
		{1500 * time.Millisecond, "1.5s"},
		{-2 * 24 * time.Hour, "-2d"},
		{time.Hour + 30*time.Minute + 5*time.Second, "1h30m5s"},
		{3599 * time.Second, "59m59s"},
		{1000 * 24 * time.Hour, "1000d"},
	}
	for _, tt := range tests {
		d := Duration{tt.in}
		if got := d.String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.in, got, tt.want)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Errorf("round trip of %v via %q = %v, %v", tt.in, d.String(), back.Duration, err)
		}
	}
}

func TestDurationMarshal(t *testing.T) {
	type wrap struct {
		D Duration `json:"d" yaml:"d"`
	}
	tests := []struct {
		name   string
		encode func(any) ([]byte, error)
		decode func([]byte, any) error
		want   string
	}{
		{"json", json.Marshal, json.Unmarshal, `{"d":"28d"}`},
		{"yaml", func(v any) ([]byte, error) { return yaml.Marshal(v) }, func(b []byte, v any) error { return yaml.Unmarshal(b, v) }, "d: 28d\n"},
	}
	for _, tt := range tests {
		in := wrap{Duration{28 * 24 * time.Hour}}
		data, err := tt.encode(in)
		if err != nil || string(data) != tt.want {
			t.Errorf("%s: encode = %q, %v; want %q", tt.name, data, err, tt.want)
		}
		var out wrap
		if err := tt.decode(data, &out); err != nil || out != in {
			t.Errorf("%s: decode = %+v, %v; want %+v", tt.name, out, err, in)
		}
	}
	var bad wrap
	if err := json.Unmarshal([]byte(`{"d":"soon"}`), &bad); err == nil {
		t.Error("decoding \"soon\" as a duration succeeded, want an error")
	}
}
