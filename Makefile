# ws2: the front door. CMake does the building; this file installs what the
# build needs (Debian packages), configures, builds and runs.
#
#   make run            build and run the demo (DEMO, default tour: examples/tour.sh.in)
#   make test           build and run the test suite (ctest)
#   make help           everything else
#
# Variables: BUILD (build dir), BUILD_TYPE and CMAKE_ARGS (extra -D... for
# the configure step; either one given re-configures), JOBS, DEMO, ARGS
# (demo arguments), PREFIX (install), CTEST_ARGS (e.g. CTEST_ARGS='-L core').

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all
# The steps of a target depend on each other; cmake parallelises the build.
.NOTPARALLEL:

JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_ARGS ?=
CTEST_ARGS ?=
PREFIX     ?= /usr/local
DEMO       ?= tour
DEMO_DIR   ?= examples
ARGS       ?= --demo 1

# Debian packages the build needs. gcc brings the ASan/UBSan/TSan runtimes.
DEB_PACKAGES  ?= build-essential gcc g++ cmake pkg-config liburing-dev libuv1-dev \
                 gcc-mingw-w64-x86-64
FORMAT_PACKAGES ?= clang-format

# Sanitizer run-time settings for `make asan` / `make tsan`.
ASAN_RUN_OPTIONS  ?= halt_on_error=1:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
UBSAN_RUN_OPTIONS ?= halt_on_error=1:print_stacktrace=1
TSAN_RUN_OPTIONS  ?= halt_on_error=1:second_deadlock_stack=1
# Sanitized code is slower: scale the test harness's watchdog.
SANITIZE_TIMEOUT_MULT ?= 4

# Sub-builds get their own -j; do not hand them this make's flags.
unexport MAKEFLAGS MFLAGS
CMAKE_BUILD = env -u MAKELEVEL cmake --build
CTEST       = env -u MAKELEVEL ctest

FORMAT_DIRS := src include test bench examples tools plugins

.PHONY: all build run test bench install asan tsan valgrind fuzz deps-fuzz conformance-wine deps-wine \
        check-install format format-check clean deps deps-format help

help:
	@echo 'make run            build and run the demo ($(DEMO_DIR)/$(DEMO); DEMO=..., ARGS=...)'
	@echo 'make test           build and run the test suite (CTEST_ARGS=...)'
	@echo 'make bench          build and run every benchmark (build/bench/bench-*)'
	@echo 'make asan           the suite under ASan+UBSan (in build-asan/)'
	@echo 'make tsan           the suite under TSan (in build-tsan/)'
	@echo 'make valgrind       the suite under valgrind memcheck (in build-valgrind/; slow)'
	@echo 'make fuzz           every fuzz target for FUZZ_SECONDS (default 60) under libFuzzer'
	@echo 'make conformance-wine  the Windows-API tests built with mingw-w64, run under Wine (docs/WINE.md)'
	@echo 'make install        install to PREFIX (default /usr/local)'
	@echo 'make check-install  install to a temporary prefix and build programs against it'
	@echo 'make format         clang-format -i every C/C++ source'
	@echo 'make format-check   report files clang-format would change'
	@echo 'make clean          remove build*/'
	@echo 'make deps           only install the missing Debian packages'

# --- Dependencies ----------------------------------------------------------
# Silent and quick when everything is there (one dpkg-query). When packages
# are missing: root installs them with apt-get; anyone else is told the
# command. Without dpkg (not Debian), the tools are looked for on PATH.
define need_packages
@pkgs="$(1)"; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  have=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $$pkgs 2>/dev/null \
	          | awk '$$1 == "ii" { sub(/:.*/, "", $$2); print $$2 }' || :); \
	  missing=; \
	  for p in $$pkgs; do \
	    grep -qx -- "$$p" <<<"$$have" || missing="$$missing $$p"; \
	  done; \
	  missing=$${missing# }; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      echo "==> installing build dependencies: $$missing"; \
	      export DEBIAN_FRONTEND=noninteractive; \
	      apt-get update -qq; \
	      apt-get install -y -qq --no-install-recommends $$missing; \
	    else \
	      echo "ws2 needs these Debian packages: $$missing" >&2; \
	      echo "Install them with:" >&2; \
	      echo "  sudo apt-get install -y $$missing" >&2; \
	      exit 1; \
	    fi; \
	  fi; \
	else \
	  for t in $(2); do \
	    command -v $$t >/dev/null 2>&1 || { \
	      echo "ws2 needs '$$t' (packages: $$pkgs); install it and retry" >&2; \
	      exit 1; }; \
	  done; \
	fi
endef

deps:
	$(call need_packages,$(DEB_PACKAGES),cc c++ cmake pkg-config)

deps-format:
	$(call need_packages,$(FORMAT_PACKAGES),clang-format)

# --- Configure and build ---------------------------------------------------
# configure(dir, extra cmake args): configure once; again when CMAKE_ARGS or
# BUILD_TYPE is given (cmake re-runs itself when a CMakeLists.txt changes).
RECONFIGURE := $(strip $(CMAKE_ARGS) $(filter command line environment,$(origin BUILD_TYPE)))
define configure
@if [ ! -f $(1)/CMakeCache.txt ] || [ -n "$(RECONFIGURE)" ]; then \
	  cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(2) $(CMAKE_ARGS); \
	fi
endef

all build: deps
	$(call configure,$(BUILD),)
	@$(CMAKE_BUILD) $(BUILD) -j$(JOBS)

run: deps
	$(call configure,$(BUILD),)
	@$(CMAKE_BUILD) $(BUILD) -j$(JOBS) --target $(DEMO) || { \
	  echo "make run: could not build the demo '$(DEMO)' ($(DEMO_DIR)/$(DEMO).c); set DEMO=<program>" >&2; \
	  exit 1; }
	$(abspath $(BUILD))/$(DEMO_DIR)/$(DEMO) $(ARGS)

test: build
	@cd $(BUILD) && $(CTEST) --output-on-failure --no-tests=error -j$(JOBS) $(CTEST_ARGS)

bench: build
	@shopt -s nullglob; n=0; \
	for b in $(BUILD)/bench/bench-*; do \
	  [ -f "$$b" ] && [ -x "$$b" ] || continue; \
	  echo "==> $$b"; "$$b"; n=$$((n + 1)); \
	done; \
	[ $$n -gt 0 ] || echo "no benchmarks in $(BUILD)/bench"

install: build
	cmake --install $(BUILD) --prefix "$(PREFIX)"

# --- Sanitizers ------------------------------------------------------------
# Separate build trees; benchmarks are left out. CMake detects a kernel
# whose address-space layout the runtime cannot use and then runs every
# test under `setarch -R` (see cmake/Sanitizers.cmake).
asan: deps
	$(call configure,build-asan,-DWS2_SANITIZE=asan -DWS2_BUILD_BENCH=OFF)
	@$(CMAKE_BUILD) build-asan -j$(JOBS)
	@cd build-asan && \
	ASAN_OPTIONS=$(ASAN_RUN_OPTIONS) UBSAN_OPTIONS=$(UBSAN_RUN_OPTIONS) \
	WS2_TEST_TIMEOUT_MULT=$(SANITIZE_TIMEOUT_MULT) \
	  $(CTEST) --output-on-failure --no-tests=error -j$(JOBS) $(CTEST_ARGS)

tsan: deps
	$(call configure,build-tsan,-DWS2_SANITIZE=tsan -DWS2_BUILD_BENCH=OFF)
	@$(CMAKE_BUILD) build-tsan -j$(JOBS)
	@cd build-tsan && \
	TSAN_OPTIONS=$(TSAN_RUN_OPTIONS) \
	WS2_TEST_TIMEOUT_MULT=$(SANITIZE_TIMEOUT_MULT) \
	  $(CTEST) --output-on-failure --no-tests=error -j$(JOBS) $(CTEST_ARGS)

# valgrind: every test program under memcheck (cmake/Sanitizers.cmake),
# an ordinary build; waits scaled by VALGRIND_TIMEOUT_MULT. On the epoll
# engine only: valgrind (3.19) keeps its global lock while a thread
# blocks in io_uring_enter, so every other thread of the program stops
# (io_uring is covered by the ASan and TSan runs); the scale tests with
# fewer connections.
VALGRIND_TIMEOUT_MULT ?= 20
VALGRIND_SCALE_CONNECTIONS ?= 500 # the scale tests' 10,000 take too long
valgrind: deps
	$(call configure,build-valgrind,-DWS2_SANITIZE=valgrind -DWS2_BUILD_BENCH=OFF)
	@$(CMAKE_BUILD) build-valgrind -j$(JOBS)
	@cd build-valgrind && \
	WS2_ENGINE=epoll WS2_TEST_TIMEOUT_MULT=$(VALGRIND_TIMEOUT_MULT) \
	WS2_SCALE_CONNECTIONS=$(VALGRIND_SCALE_CONNECTIONS) \
	  $(CTEST) --output-on-failure --no-tests=error --timeout 1500 -LE io_uring \
	    -j$(JOBS) $(CTEST_ARGS)

# fuzz: every fuzz target under libFuzzer (clang, ASan+UBSan) for
# FUZZ_SECONDS each (fuzz/README.md). FUZZ_TARGETS='catalog ioctl' picks some.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_PACKAGES ?= clang libclang-rt-dev

deps-fuzz:
	$(call need_packages,$(FUZZ_PACKAGES),clang)

fuzz: deps deps-fuzz
	$(call configure,build-fuzz,-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DWS2_SANITIZE=fuzz -DWS2_BUILD_TESTS=OFF -DWS2_BUILD_BENCH=OFF -DWS2_BUILD_EXAMPLES=OFF)
	@$(CMAKE_BUILD) build-fuzz -j$(JOBS) --target fuzz-all
	@bash fuzz/run.sh $(abspath build-fuzz) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# conformance-wine: a second opinion (docs/WINE.md). test/wine/run.sh builds
# every test/core, test/ws2 and test/io test-*.c that uses only the Windows
# API with mingw-w64 against mingw's headers and ws2_32, runs each under
# Wine (its own WINEPREFIX in build-wine/, WINEDEBUG=-all, a timeout per
# program) and prints per file the cases passed / failed / skipped, compared
# with test/wine/expected.txt. Wine differing from ws2 does not fail it.
# Never part of `make test`: it needs Wine and takes minutes.
WINE_PACKAGES ?= gcc-mingw-w64-x86-64 wine wine64
WINE_TIMEOUT  ?= 120

deps-wine:
	$(call need_packages,$(WINE_PACKAGES),x86_64-w64-mingw32-gcc wine)

conformance-wine: deps-wine
	@WS2_WINEPREFIX=$(abspath build-wine)/prefix WS2_WINE_OUT=$(abspath build-wine)/out \
	WS2_WINE_TIMEOUT=$(WINE_TIMEOUT) sh test/wine/run.sh

# --- Install check, formatting, cleaning -----------------------------------
check-install: build
	sh test/install/symbols.sh $(BUILD)/libws2.so
	BUILD=$(abspath $(BUILD)) bash test/install/check.sh

FORMAT_FIND = find $(wildcard $(FORMAT_DIRS)) -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \) -print0

format: deps-format
	$(FORMAT_FIND) | xargs -0 -r clang-format -i

format-check: deps-format
	$(FORMAT_FIND) | xargs -0 -r clang-format --dry-run --Werror

clean:
	rm -rf $(sort build build-asan build-tsan build-valgrind build-wine $(BUILD))
