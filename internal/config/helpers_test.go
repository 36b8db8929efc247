package config

import (
	"errors"
	"strings"
	"testing"
)

// mapEnv is an Env backed by a map.
func mapEnv(m map[string]string) Env {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

// problemLines returns the lines of a *Problems error, failing the test
// for any other error.
func problemLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error is %T (%v), want *Problems", err, err)
	}
	return strings.Split(ps.Error(), "\n")
}

// diffLines reports, line by line, how got differs from want.
func diffLines(t *testing.T, name string, got, want []string) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("%s: line %d\n got  %s\n want %s", name, i+1, g, w)
		}
	}
}
