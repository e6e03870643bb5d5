# decc — entry points. Every target first runs scripts/setup.sh, which
# installs missing Debian packages (idempotent), so these work on a fresh
# Debian 12 machine:
#   make demo   set-up + build + the end-to-end demo
#   make test   set-up + build + engines + the whole suite, then again under
#               ASan+UBSan
#   make engines  the real engines and clients the integration tests drive
#               (anvil + PoCo, js-ipfs: tools/engines/install.sh; the
#               official iExec SDKs: tools/sdk/install.sh), cached outside the
#               repository, quick when cached). If the install fails: under
#               CI (CI=true) make fails; otherwise it warns and goes on, and
#               the integration tests report themselves skipped.
#   make bench  set-up + build + benchmarks (figures and ratios)
#   make fuzz   clang/libFuzzer targets for a bounded time each
#   make test-fuzz  (part of make test) builds every fuzz target with clang
#               + libFuzzer and runs each for a few seconds (fuzz/smoke.sh,
#               FUZZ_SMOKE_SECONDS in all), so that `make fuzz` cannot break
#               silently
#   make test-tsan  (part of make test) the threaded tests (HTTP server,
#               orderbook readers, node, scheduler/worker) built with
#               ThreadSanitizer and run once each (tools/tsan.sh); any
#               report fails
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 30
FUZZ_SMOKE_SECONDS ?= 60

.PHONY: all setup build engines engines-chain test test-release test-asan test-fuzz test-tsan demo bench fuzz clean valgrind man

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# $(call engines_install,COMMAND): runs an engine installer; see
# `make engines` above for what a failure means.
define engines_install
	@if $(1); then :; \
	elif [ -n "$$CI" ] && [ "$$CI" != false ] && [ "$$CI" != 0 ]; then \
	  echo "make: $(1) failed (CI=$$CI: the integration tests need the engines)" >&2; exit 1; \
	else \
	  echo "make: WARNING: $(1) failed; tests needing an engine will be skipped" >&2; \
	fi
endef

engines: setup
	$(call engines_install,bash tools/engines/install.sh)
	$(call engines_install,timeout 1800 bash tools/sdk/install.sh)

engines-chain: setup
	$(call engines_install,bash tools/engines/install.sh chain)

test: test-release test-asan test-tsan test-fuzz

test-release: build engines
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDECC_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  DECC_SANITIZED=1 ctest --output-on-failure -j$(JOBS)

test-tsan: setup
	@bash tools/tsan.sh $(TSAN_BUILD)

test-fuzz: setup
	@bash fuzz/smoke.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

# The man page from the help (help2man): $(BUILD)/decc.1
man: build
	@cmake --build $(BUILD) --target man
	@echo "man page: $(BUILD)/decc.1 (man -l $(BUILD)/decc.1)"

valgrind: build
	@bash tools/valgrind.sh $(BUILD)

demo: build
	@bash scripts/demo.sh $(BUILD)

bench: build engines-chain
	@bash bench/run.sh $(BUILD)

fuzz: setup
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDECC_FUZZ=ON -DDECC_SANITIZE=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)
	@bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(TSAN_BUILD)
