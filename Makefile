# DBC Rent: the two commands a user needs are `make run` and `make test`.
# Each installs what is missing on a Debian/Ubuntu machine first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

APP_DEBUG := target/debug/dbc-rent-app
TAURI_DRIVER_VERSION := 2.1.0
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

.PHONY: help run test lint bench fuzz package test-package test-update deps deps-test ui-deps sandbox-deps wallet-js-deps tauri-driver app test-rust test-keyring test-ui test-e2e screenshots clean

help:
	@echo "make run      install what is missing, build and open DBC Rent"
	@echo "make test     install what is missing and run every test (lint first, then Rust, UI, e2e under Xvfb)"
	@echo "make lint     the gates: the 600-line file rule, rustfmt, clippy with warnings as errors, Prettier, svelte-check"
	@echo "make package  build the .deb and .rpm (app, CLI, practice network) into target/release/bundle/"
	@echo "make test-update  as root: the signed update installed with dpkg (0.1.0 -> 0.2.0), bad signatures and a downgrade refused"
	@echo "make fuzz     the property tests with 20000 random cases each (FUZZ_CASES=N), and the hostile DBC client suite"
	@echo "make bench    print the benchmark figures (practice network time to ready, market load vs polkadot.js, cached list paint)"

## ---- set-up ---------------------------------------------------------------

deps:
	bash scripts/install-deps.sh run
	$(MAKE) ui-deps sandbox-deps

deps-test:
	bash scripts/install-deps.sh test
	$(MAKE) ui-deps sandbox-deps wallet-js-deps tauri-driver

# npm ci only when the lock file changed since the last install.
ui-deps: ui/node_modules/.installed
ui/node_modules/.installed: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	touch $@

# chopsticks (pinned in crates/dbc-sandbox/js) runs the practice network;
# npm ci only when its lock file changed. EBADENGINE warnings are expected on Node 20.
sandbox-deps: crates/dbc-sandbox/js/node_modules/.installed
crates/dbc-sandbox/js/node_modules/.installed: crates/dbc-sandbox/js/package-lock.json
	cd crates/dbc-sandbox/js && npm ci --no-audit --no-fund
	touch $@

# @polkadot/keyring (pinned in crates/dbc/tests/js): the wallet tests compare
# our addresses and JSON keystores with it; npm ci only when its lock file changed.
wallet-js-deps: crates/dbc/tests/js/node_modules/.installed
crates/dbc/tests/js/node_modules/.installed: crates/dbc/tests/js/package-lock.json
	cd crates/dbc/tests/js && npm ci --no-audit --no-fund
	touch $@

tauri-driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)

## ---- build ----------------------------------------------------------------

# `tauri build --debug --no-bundle` embeds the built UI (a plain cargo build
# would point the window at the Vite dev server). The e2e tests drive this binary.
app: ui-deps
	cd ui && TAURI_APP_PATH=../src-tauri npx tauri build --debug --no-bundle

run: deps app
	./$(APP_DEBUG)

# The .deb and .rpm with the app, the dbc-rent CLI, its completions and man
# page, and the practice network (scripts/package.sh says what goes where).
package: deps sandbox-deps
	bash scripts/package.sh

# What the packages hold and that their files work as installed
# (scripts/package-test.sh; hides the repository when run as root).
test-package: package
	bash scripts/package-test.sh

# The update install end to end, as root (scripts/update-test.sh): the app's
# update code and the real updater plugin against a local server, with
# throwaway keys and two small marker .debs; dpkg must report the new version.
# Not part of `make test` (root, changes the system's package list briefly).
test-update: ui-deps
	bash scripts/update-test.sh

## ---- tests ----------------------------------------------------------------

test: deps-test
	$(MAKE) lint
	$(MAKE) test-rust test-ui test-e2e
	@echo "make test: all suites passed"

# The gates, fastest first so a format slip fails in seconds. Clippy checks
# every target (tests and examples too) and treats each warning as an error.
lint: ui-deps
	scripts/file-size-check.sh
	cargo fmt --all --check
	cd ui && npx prettier --check src
	cd ui && npm run check
	cargo clippy --workspace --all-targets --locked -- -D warnings

test-rust: wallet-js-deps
	cargo test --locked
	$(MAKE) test-keyring

# The real Secret Service round trip (an #[ignore]d test): a private D-Bus
# session with gnome-keyring unlocked by a throwaway password. Selecting the
# same packages as `cargo test` keeps the features, so nothing is rebuilt.
test-keyring:
	dbus-run-session -- sh -c 'echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null && cargo test --locked --workspace --exclude dbc-e2e --lib keyring_real -- --ignored'

test-ui: ui-deps
	cd ui && npm run check && npm test

# The property tests (DBC client answers, RDP target/argv/.rdp builders,
# keystore and mnemonic import) with many more random cases than `make test`
# runs (proptest's 256; FUZZ_CASES to change). The hostile-client suite too.
FUZZ_CASES ?= 20000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) cargo test --locked -p dbc --lib proptests
	cargo test --locked -p dbc --test hostile_client

# The e2e specs open the real window (WebKitGTK) under Xvfb; screenshots of
# every visited screen go to target/e2e-screenshots/.
test-e2e: app tauri-driver
	rm -rf target/e2e-screenshots
	xvfb-run -a -s "-screen 0 1400x900x24" cargo test -p dbc-e2e --locked -- --test-threads=1
	@echo "screenshots: $$(ls target/e2e-screenshots | wc -l) in target/e2e-screenshots/"

## ---- benchmarks (figures printed, compared with their budgets) -------------

BENCH_DIR := target/bench-sandbox
bench: sandbox-deps
	cargo build -q -p dbc-sandbox --example ready_time
	@echo "== practice network: time to ready (RPC answering, seed loaded); budget 15 s"
	rm -rf $(BENCH_DIR)/first
	target/debug/examples/ready_time --label first-start --data-dir $(BENCH_DIR)/first
	target/debug/examples/ready_time --label cold --cold --data-dir $(BENCH_DIR)/first
	target/debug/examples/ready_time --label warm --data-dir $(BENCH_DIR)/first
	target/debug/examples/ready_time --label cold-2000 --cold --machines 2000 --data-dir $(BENCH_DIR)/first
	@# Release build: polkadot.js runs JIT-optimized, so we compare optimized code too.
	cargo build -q --release -p dbc-sandbox --example market_load
	target/release/examples/market_load --machines 2000 --runs 7 --data-dir $(BENCH_DIR)/market-2000
	@# The app's own costs (cold start, the Machine step's first paint from the
	@# chain and from the cache, memory, package size): the release build and
	@# the .deb that `make package` makes, in the real window.
	$(MAKE) package tauri-driver
	DBC_RENT_APP=$(CURDIR)/target/release/dbc-rent-app xvfb-run -a -s "-screen 0 1400x900x24" cargo run -q -p dbc-e2e --example app_costs

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules
