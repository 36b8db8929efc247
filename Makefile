# dre's developer entry points. See README.md.
export GOTOOLCHAIN := local

GO        ?= go
BIN       ?= bin/dre
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/dre-dev/dre/internal/cli.Version=$(VERSION)
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

# Packages that do not link the Temporal server run under the race
# detector: rebuilding the server's ~1,850 packages with -race costs more
# than ten minutes and finds nothing in our code that these do not cover.
LIGHT_PKGS := ./internal/config/... ./internal/catalog/... ./internal/gateway/... ./internal/worker/... \
              ./internal/warehouse/... ./workflows/... ./activities/... ./runbooks/... \
              ./tests/replay/...
LIGHT_PKGS += ./internal/slo/...
LIGHT_PKGS += ./internal/pii/...
LIGHT_PKGS += ./internal/telemetry/... ./internal/logging/...
LIGHT_PKGS += ./internal/schedules/... ./internal/yamlnode/... ./internal/uilink/...
HEAVY_PKGS := ./internal/devserver/... ./internal/localpg/... ./internal/demo/... \
              ./internal/cli/... ./tests/e2e/... ./tests/bench/...
# Deployment manifests against the CLI (links the CLI, hence heavy).
HEAVY_PKGS += ./tests/deploy/...
HEAVY_PKGS += ./internal/audit/...

.PHONY: run test test-light test-heavy fuzz build lint fmt-check vet workflowcheck bench clean

## run: everything in one process (Temporal + UI + worker + gateway + PostgreSQL) with demo data
run:
	$(GO) run ./cmd/dre dev --demo

## test: every test, with real PostgreSQL and an embedded Temporal server
test: vet test-light test-heavy fuzz

test-light:
	$(GO) test -count=1 -race $(LIGHT_PKGS)

test-heavy:
	$(GO) test -count=1 -timeout 20m $(HEAVY_PKGS)

# A short fuzz of the runbook parser: malformed YAML must yield positioned
# problems, never a panic. Longer runs: make fuzz FUZZTIME=10m
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./runbooks/

## build: the stripped dre binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/dre

## lint: formatting, go vet, Temporal's workflow determinism check,
## staticcheck and errcheck (exclusions in errcheck_excludes.txt)
lint: fmt-check vet workflowcheck staticcheck errcheck

fmt-check:
	@out="$$(gofmt -l cmd workflows activities runbooks internal tests 2>/dev/null)"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

workflowcheck:
	$(GO) run $(WORKFLOWCHECK) ./workflows/...

# Pinned like workflowcheck, so every machine lints with the same rules.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ERRCHECK    := github.com/kisielk/errcheck@v1.30.0
.PHONY: staticcheck errcheck

staticcheck:
	$(GO) run $(STATICCHECK) ./...

# Test files are left out: what they drop is the cleanup of fixtures
# whose outcome the test has already asserted.
errcheck:
	$(GO) run $(ERRCHECK) -ignoretests -exclude errcheck_excludes.txt ./...

## bench: speed and memory figures (sequential activity step latency,
## partition rewrite against raw SQL, a year's backfill against a plain SQL
## loop, Slack command acknowledgement at 200/s)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 5x ./internal/devserver/
	$(GO) test -run '^$$' -bench . -benchmem ./internal/warehouse/postgres/
	$(GO) test -run '^$$' -bench Runbook -benchmem -benchtime 20x ./tests/bench/
	$(GO) test -run '^$$' -bench Backfill -benchtime 5x -timeout 20m ./tests/bench/
	$(GO) test -run '^$$' -bench . -benchtime 1x ./internal/gateway/
	$(GO) test -run '^$$' -bench VerifyDecision -benchmem ./internal/decision/

clean:
	rm -rf bin
