# dre's developer entry points. See README.md.
export GOTOOLCHAIN := local

GO        ?= go
BIN       ?= bin/dre
PROD_BIN  ?= bin/dre-prod
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/dre-dev/dre/internal/cli.Version=$(VERSION)
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

# Package lists come from `go list`, so that a new package cannot be left
# out: a package is heavy when it or its test binary links the Temporal
# server, light otherwise. Light packages run under the race detector:
# rebuilding the server's ~1,850 packages with -race costs more than ten
# minutes and finds nothing in our code that these do not cover. Packages
# heavy only through `dre dev` (internal/cli, tests/deploy) are light in the
# production build (-tags nodev, which leaves dre dev out), so they also run
# under the race detector there; test-heavy runs them whole.
PROD_TAGS := nodev
# list_pkgs prints the $(1) (light or heavy) packages of the build with flags $(2).
list_pkgs = $(shell GOTOOLCHAIN=local $(GO) list $(2) -test -f '{{if not .ForTest}}{{.ImportPath}} {{join .Deps " "}}{{end}}' ./... | \
	awk -v want=$(1) '{ p = $$1; sub(/\.test$$/, "", p); all[p] = 1; if ($$0 ~ / go\.temporal\.io\/server\//) heavy[p] = 1 } \
	END { for (p in all) if ((want == "heavy") == (p in heavy)) print p }' | sort)
LIGHT_PKGS = $(call list_pkgs,light)
HEAVY_PKGS = $(call list_pkgs,heavy)
NODEV_LIGHT_PKGS = $(filter-out $(call list_pkgs,heavy,-tags $(PROD_TAGS)),$(HEAVY_PKGS))

.PHONY: run test test-light test-heavy test-cluster test-helm tsclient fuzz build build-prod pkgs lint fmt-check vet workflowcheck bench bench-cluster clean

## run: everything in one process (Temporal + UI + worker + gateway + PostgreSQL) with demo data
run:
	$(GO) run ./cmd/dre dev --demo

## test: every test, with real PostgreSQL and an embedded Temporal server
test: vet test-light test-heavy fuzz test-helm

test-light:
	$(GO) test -count=1 -race $(LIGHT_PKGS)
	$(GO) test -count=1 -race -tags $(PROD_TAGS) $(NODEV_LIGHT_PKGS)

test-heavy: tsclient
	$(GO) test -count=1 -timeout 20m $(HEAVY_PKGS)

# The e2e tests drive workflows through the TypeScript SDK's client too, to
# show that the guards hold whichever client starts a workflow; its npm
# packages are pinned by the committed lock and installed only when
# node_modules is missing or older than the lock.
TSCLIENT_DIR := tests/peers/tsclient

## tsclient: install the TypeScript Temporal client the e2e tests use (Node.js and npm)
tsclient: $(TSCLIENT_DIR)/node_modules/.package-lock.json

$(TSCLIENT_DIR)/node_modules/.package-lock.json: $(TSCLIENT_DIR)/package-lock.json
	npm ci --prefix $(TSCLIENT_DIR) --no-audit --no-fund
	@touch $@

# The Helm chart's render tests are a Go module of their own: Helm's
# Kubernetes dependencies would move the pins of dre's go.mod. The first run
# downloads Helm's modules (~20 s from the Go proxy) and compiles client-go
# and apimachinery (minutes with a cold build cache, seconds once cached).
HELM_TEST_DIR := deploy/helm/charttest

## test-helm: render deploy/helm/dre with Helm's libraries (no cluster) and
## check it against the kustomize base and its values schema
test-helm:
	cd $(HELM_TEST_DIR) && $(GO) vet ./... && $(GO) test -count=1 ./...

## test-cluster: only the multi-service tests: the real Temporal server as four
## processes (frontend, history, matching, worker) on PostgreSQL, with three dre
## workers and two gateways, under kill -9, SIGSTOP and PostgreSQL restarts;
## test-heavy runs them too
test-cluster:
	$(GO) test -count=1 -v -timeout 20m ./tests/cluster/

# A short fuzz of the runbook parser: malformed YAML must yield positioned
# problems, never a panic. Longer runs: make fuzz FUZZTIME=10m
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./runbooks/

## fakerdata: install the pinned @faker-js/faker (npm ci, only when
## node_modules is missing or the lock file changed) that prints
## internal/pii's multi-locale accuracy corpus; needs node and npm
FAKERDATA := tests/peers/fakerdata
.PHONY: fakerdata
fakerdata: $(FAKERDATA)/node_modules/@faker-js/faker
$(FAKERDATA)/node_modules/@faker-js/faker: $(FAKERDATA)/package-lock.json
	npm ci --prefix $(FAKERDATA)
test-light: fakerdata
bench: fakerdata

## pkgs: the package lists the test targets use
pkgs:
	@echo "light (-race):              $(LIGHT_PKGS)"
	@echo "light in the nodev build:   $(NODEV_LIGHT_PKGS)"
	@echo "heavy (link Temporal):      $(HEAVY_PKGS)"

## build: the stripped dre binary in bin/, with dre dev (Temporal server, UI, local PostgreSQL)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/dre

## build-prod: the worker/gateway binary deploy/Dockerfile builds: no dre dev, no Temporal server
build-prod:
	CGO_ENABLED=0 $(GO) build -trimpath -tags $(PROD_TAGS) -ldflags '$(LDFLAGS)' -o $(PROD_BIN) ./cmd/dre

## lint: formatting, go vet, Temporal's workflow determinism check,
## staticcheck and errcheck (exclusions in errcheck_excludes.txt)
lint: fmt-check vet workflowcheck staticcheck errcheck

fmt-check:
	@out="$$(gofmt -l cmd workflows activities runbooks internal tests $(HELM_TEST_DIR) 2>/dev/null)"; \
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
## loop, Slack command acknowledgement at 200/s, alert ingest at 500
## Alertmanager alerts/s for 30 s with the incidents opened against expected,
## an access reconcile pass over 1,000 PII tables with 20 grants each:
## DRE_BENCH_RECONCILE_TABLES sets another size, loading a 5,000-dataset
## dbt manifest into the lineage graph, PII detection's column-level precision
## and recall per kind on a generated faker corpus, a year's backfill with
## write-audit-publish and one SQL check, a cascade over three levels of a
## year of days against the same rewrites as SQL and level by level, the same on the BigQuery stand-in
## in calls per partition, SLO history bootstrap of 100
## datasets over 28 days at 10 minutes, SLO evaluation of 50 datasets with
## two SLOs each in the per-step, the one-activity and the batched
## (slo.batch) design: Temporal actions, CPU, memory and database growth
## per dataset-round and per minute; DRE_BENCH_SLO_DATASETS=1000
## DRE_BENCH_SLO_INTERVAL=1m is the issue's size, DRE_BENCH_SLO_BATCH the
## batch size and DRE_BENCH_SLO_DESIGNS=one,batch a subset)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 5x ./internal/devserver/
	$(GO) test -run '^$$' -bench . -benchmem ./internal/warehouse/postgres/
	$(GO) test -run '^$$' -bench Runbook -benchmem -benchtime 20x ./tests/bench/
	$(GO) test -run '^$$' -bench 'Backfill$$' -benchtime 5x -timeout 20m ./tests/bench/
	$(GO) test -run '^$$' -bench BackfillWAP -benchtime 3x -timeout 20m ./tests/bench/
	$(GO) test -run '^$$' -bench BackfillCascade -benchtime 1x -timeout 20m ./tests/bench/
	$(GO) test -run '^$$' -bench RewriteAuditedBigQuery -benchtime 3x ./internal/warehouse/bigquery/
	$(GO) test -run '^$$' -bench AlertIngest -benchtime 1x -timeout 20m ./tests/bench/ -args -alert-seconds 30
	$(GO) test -run '^$$' -bench . -benchtime 1x ./internal/gateway/ -args -alert-bench-duration 30s
	$(GO) test -run '^$$' -bench AccessReconcile -benchtime 3x -timeout 20m ./tests/bench/
	$(GO) test -run '^$$' -bench VerifyDecision -benchmem ./internal/decision/
	$(GO) test -run '^$$' -bench AuthzCheck -benchmem ./internal/authz/
	$(GO) test -run '^$$' -bench Load5000 -benchmem -benchtime 5x ./internal/lineage/dbt/
	$(GO) test -run '^$$' -bench PIIAccuracy -benchtime 1x ./internal/pii/
	$(GO) test -run '^$$' -bench BootstrapSLOHistory -benchtime 1x ./activities/
	$(GO) test -run '^$$' -bench SLOEvaluation -benchtime 1x -timeout 30m ./tests/bench/

## bench-cluster: dre at a team's size on the four-process Temporal cluster
## (PostgreSQL persistence and visibility): 1,000 generated datasets with two
## SLOs each evaluated every minute on two dre workers for 10 minutes, plus 20
## backfills of 30 partitions; worker CPU and peak RSS, billed Temporal actions
## per dataset per day by workflow type, history growth and continue-as-new,
## visibility list latency, backfill throughput and persistence growth per
## minute (deploy/README.md, "Capacity"). About 25 minutes; smaller runs:
## make bench-cluster SCALE_DATASETS=50 SCALE_MINUTES=2
SCALE_DATASETS ?= 1000
SCALE_MINUTES  ?= 10
SCALE_BACKFILLS ?= 20
bench-cluster:
	$(GO) test -count=1 -run '^$$' -bench ClusterScale -benchtime 1x -timeout 90m ./tests/cluster/ \
		-args -scale-datasets $(SCALE_DATASETS) -scale-minutes $(SCALE_MINUTES) -scale-backfills $(SCALE_BACKFILLS)

clean:
	rm -rf bin
