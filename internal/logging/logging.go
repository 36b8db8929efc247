// Package logging builds the slog loggers of dre's long-running processes:
// text for people, JSON for log collectors, and in both every known secret
// value replaced by [redacted] before a line is written.
//
// Secrets are kept out of logs at the source (config.Secret prints as its
// reference); the redaction here is the second line of defence, for a
// value that reaches a log through a path nobody foresaw, such as a
// driver's error that quotes a connection string.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Redacted replaces a secret value in a log line.
const Redacted = "[redacted]"

// Options configure New.
type Options struct {
	// Format is "text" (the default) or "json".
	Format string
	// Level is "debug", "info" (the default), "warn" or "error".
	Level string
	// Secrets are values that must never be written; see ConfigSecrets.
	Secrets []string
}

// New returns a logger writing to w, or an error naming the bad option.
func New(w io.Writer, o Options) (*slog.Logger, error) {
	var level slog.Level
	if o.Level != "" {
		if err := level.UnmarshalText([]byte(o.Level)); err != nil {
			return nil, fmt.Errorf("log level %q: want debug, info, warn or error", o.Level)
		}
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactor(o.Secrets)}
	switch o.Format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", o.Format)
}

// redactor returns a ReplaceAttr hook that rewrites any attribute, the
// message included, whose text contains a secret. Values that are not
// strings (errors, structs) are rendered first, because a secret inside
// them would otherwise be rendered later by the handler, unredacted.
func redactor(secrets []string) func([]string, slog.Attr) slog.Attr {
	r := newReplacer(secrets)
	if r == nil {
		return nil
	}
	return func(_ []string, a slog.Attr) slog.Attr {
		switch a.Value.Kind() {
		case slog.KindString:
			if s := a.Value.String(); r.contains(s) {
				a.Value = slog.StringValue(r.replace(s))
			}
		case slog.KindAny:
			if s := fmt.Sprint(a.Value.Any()); r.contains(s) {
				a.Value = slog.StringValue(r.replace(s))
			}
		}
		return a
	}
}

// replacer finds and replaces the secret values.
type replacer struct {
	secrets []string
	r       *strings.Replacer
}

// minSecretLen skips values too short to be credentials: redacting "1" or
// "on" everywhere would make logs unreadable and protect nothing.
const minSecretLen = 4

func newReplacer(secrets []string) *replacer {
	var kept, pairs []string
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			kept = append(kept, s)
			pairs = append(pairs, s, Redacted)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return &replacer{secrets: kept, r: strings.NewReplacer(pairs...)}
}

func (r *replacer) contains(s string) bool {
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			return true
		}
	}
	return false
}

func (r *replacer) replace(s string) string { return r.r.Replace(s) }
