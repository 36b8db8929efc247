package catalog

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{in: "2027-03-01", want: Date{2027, time.March, 1}},
		{in: "2028-02-29", want: Date{2028, time.February, 29}},
		{in: "2027-02-29", wantErr: true},
		{in: "2027-3-1", wantErr: true},
		{in: "01/03/2027", wantErr: true},
		{in: "2027-03-01T00:00:00Z", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDateMethods(t *testing.T) {
	tests := []struct {
		d        Date
		str      string
		midnight time.Time
	}{
		{Date{2027, time.March, 1}, "2027-03-01", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		{Date{987, time.December, 31}, "0987-12-31", time.Date(987, 12, 31, 0, 0, 0, 0, time.UTC)},
		{Date{}, "", time.Date(0, 0, 0, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.str {
			t.Errorf("%#v.String() = %q, want %q", tt.d, got, tt.str)
		}
		if got := tt.d.Time(); !got.Equal(tt.midnight) || got.Location() != time.UTC {
			t.Errorf("%#v.Time() = %v, want %v", tt.d, got, tt.midnight)
		}
	}
	if got := DateOf(time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC)); got != (Date{2026, time.November, 23}) {
		t.Errorf("DateOf = %v, want 2026-11-23", got)
	}
}

func TestDateMarshal(t *testing.T) {
	type wrap struct {
		D Date `json:"d" yaml:"d"`
	}
	tests := []struct {
		in       wrap
		wantJSON string
	}{
		{wrap{Date{2027, time.March, 1}}, `{"d":"2027-03-01"}`},
		{wrap{}, `{"d":""}`},
	}
	for _, tt := range tests {
		data, err := json.Marshal(tt.in)
		if err != nil || string(data) != tt.wantJSON {
			t.Errorf("json.Marshal(%v) = %s, %v; want %s", tt.in, data, err, tt.wantJSON)
		}
		var back wrap
		if err := json.Unmarshal(data, &back); err != nil || back != tt.in {
			t.Errorf("json round trip of %v = %v, %v", tt.in, back, err)
		}
	}
	var y wrap
	if err := yaml.Unmarshal([]byte("d: 2027-03-01\n"), &y); err != nil || y.D != (Date{2027, time.March, 1}) {
		t.Errorf("yaml.Unmarshal = %v, %v; want 2027-03-01", y.D, err)
	}
}
