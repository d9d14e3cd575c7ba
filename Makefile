# The two commands a newcomer needs: `make demo` and `make test`. Each installs what it needs first.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .build-tools/venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_ARGS ?=

.PHONY: deps tools build demo test test-swift test-asan validate-deploy check-boundaries check-warnings format lint

## deps: librdkafka's headers and library (Debian/Ubuntu), only when pkg-config cannot find them.
deps:
	@pkg-config --exists rdkafka || { \
	  echo "installing librdkafka-dev"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librdkafka-dev pkg-config; }

## tools: the validators of the deployment files, from PyPI, in a private virtualenv.
tools: $(VENV)/.installed
$(VENV)/.installed:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q check-jsonschema kubernetes-validate yamllint
	touch $@

build: deps
	$(SWIFT) build -c release --product streamrec

demo: build
	.build/release/streamrec demo $(DEMO_ARGS)

## test: everything CI runs.
test: deps tools check-boundaries check-warnings test-swift test-asan validate-deploy

test-swift: deps
	$(SWIFT) test

## The librdkafka wrapper under AddressSanitizer with leak detection (libXCTest's own exit-time leak suppressed).
test-asan: deps
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp \
	  $(SWIFT) test --sanitize=address --scratch-path .build-asan --filter KafkaTests

## No compiler warnings in our own code (dependencies may warn; we do not own them).
check-warnings: deps
	@mkdir -p .build-tools
	@$(SWIFT) build --build-tests 2>&1 | tee .build-tools/build.log | tail -1
	@if grep -E "^$(CURDIR)/(Sources|Tests)/.*warning:" .build-tools/build.log; then \
	  echo "warnings in Sources/ or Tests/ (fix them)"; exit 1; fi

check-boundaries:
	@scripts/check-boundaries.sh

validate-deploy: tools
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/validate-deploy.sh

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --recursive Sources Tests
