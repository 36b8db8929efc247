package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// maxSlackBody bounds what is read before the signature is checked: Slack's
// commands and interactions are a few kilobytes, so anything near this is
// not from Slack.
const maxSlackBody = 256 << 10

// replayWindow is Slack's own timestamp tolerance (slack-go enforces ±5
// minutes); a signature is remembered a little longer than that, so a
// captured request cannot be sent again while its timestamp still passes.
const replayWindow = 6 * time.Minute

// errReplayed is a valid signature seen before.
var errReplayed = errors.New("request replayed: this signature was already accepted")

// errSeenUnavailable: the replay set could not be asked, so a replay
// cannot be told from a first delivery and nothing is done.
var errSeenUnavailable = errors.New("the replay set (state database) is unavailable")

// verifySlack reads the body and checks it came from Slack: the HMAC of
// "v0:timestamp:body" under the signing secret (compared in constant time
// by slack-go), a timestamp within five minutes, and a signature not seen
// before. Only a verified body is returned; nothing is parsed before.
func verifySlack(r *http.Request, secret string, seen SeenSet) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxSlackBody))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err != nil {
		return nil, err
	}
	if _, err := sv.Write(body); err != nil {
		return nil, err
	}
	if err := sv.Ensure(); err != nil {
		return nil, err
	}
	key := seenSlackSignature + normalSlackSignature(r.Header.Get("X-Slack-Signature"))
	first, err := seen.FirstUse(r.Context(), key, replayWindow)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errSeenUnavailable, err)
	}
	if !first {
		return nil, errReplayed
	}
	return body, nil
}

// normalSlackSignature is the one spelling of a signature that slack-go
// accepts in many (hex decoding ignores case): trimmed, lower case, without
// "v0=", so that a re-cased copy of a request is still a replay.
func normalSlackSignature(sig string) string {
	sig = strings.ToLower(strings.TrimSpace(sig))
	return strings.TrimPrefix(sig, "v0=")
}
