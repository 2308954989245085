# Strikeline: the two commands a newcomer needs.
#   make run   installs what is missing, builds, starts the desktop terminal
#   make test  installs what is missing, builds, runs every test
# Everything else here serves those two (and CI, which runs `make test` with CI=true).

SHELL := /bin/bash
PRESET ?= $(if $(CI),ci,dev)
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Debian 12 / Ubuntu 24.04 packages. Runtime and build dependencies in one list: the terminal
# is built from source here. (Packaging declares the runtime subset, see packaging/.)
DEB_PACKAGES := \
	build-essential cmake ninja-build pkg-config git \
	qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6sql6-psql qt6-httpserver-dev qt6-websockets-dev \
	qt6-qpa-plugins libgl-dev libxkbcommon-dev \
	libspdlog-dev libsimdjson-dev libabsl-dev zlib1g-dev libcsv-dev \
	protobuf-compiler libprotobuf-dev qtkeychain-qt6-dev \
	libbenchmark-dev clang-format wrk \
	appstream desktop-file-utils \
	postgresql libpq-dev \
	xvfb xauth \
	dbus-daemon gnome-keyring

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test bench bench-api fuzz format format-check sanitize screenshots clean package

all: build

# Installs only what is missing (dpkg-query), so a second run costs a fraction of a second.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "Missing packages:$$missing -- install them with your package manager." >&2; exit 1; \
	  fi; \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Node.js and npm drive Upstox's official SDK against the simulator (tests/sdk). A Node.js
	@# that is already there (e.g. NodeSource's, which ships npm) is kept; Debian's otherwise.
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  echo "Installing: nodejs npm"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi
	@# Upstox's Node SDK for tests/sdk (pinned by its package-lock.json); tests/sdk/run.sh
	@# installs it itself when this step could not.
	@if [ ! -f tests/sdk/node_modules/upstox-js-sdk/package.json ]; then \
	  (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error) || \
	    echo "warning: npm ci in tests/sdk failed (offline?): the SDK test will install or skip"; \
	fi

$(BUILD_DIR)/build.ninja: CMakeLists.txt CMakePresets.json
	cmake --preset $(PRESET) $(CMAKE_ARGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/app/strikeline

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Release build; the storage benchmarks get a throwaway PostgreSQL server of their own.
bench: deps
	cmake --preset release
	cmake --build build/release -j $(JOBS) --target strikeline_benchmarks strikeline_storage_benchmarks \
	  strikeline_orderflow_benchmarks strikeline_order_benchmarks strikeline_desktop_benchmarks
	build/release/tests/bench/strikeline_benchmarks
	build/release/tests/bench/strikeline_order_benchmarks
	build/release/tests/bench/strikeline_desktop_benchmarks
	pg=$$(mktemp -d) && trap 'bash tests/support/pg-test-server.sh stop "$$pg" --force' EXIT && \
	  bash tests/support/pg-test-server.sh start "$$pg" && \
	  STRIKELINE_BENCH_PG_URL=$$(cat "$$pg/url") build/release/tests/bench/strikeline_storage_benchmarks && \
	  STRIKELINE_BENCH_PG_URL=$$(cat "$$pg/url") build/release/tests/bench/strikeline_orderflow_benchmarks

# Installers from a release build: build/release/strikeline_<version>_<arch>.deb and
# strikeline-<version>-Linux.tar.gz (docs/install.md). Only the two programs are built: CPack's
# install step is told not to build everything else first.
package: deps
	cmake --preset release -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON
	cmake --build build/release -j $(JOBS) --target strikeline strikeline-cli
	cd build/release && cpack -G "DEB;TGZ"

# The local HTTP API under wrk (tests/bench/api-load.sh): release build, real master, loopback.
bench-api: deps
	cmake --preset release
	cmake --build build/release -j $(JOBS) --target strikeline-cli
	bash tests/bench/api-load.sh build/release

sanitize: deps
	cmake --preset asan-ubsan && cmake --build build/asan-ubsan -j $(JOBS)
	cd build/asan-ubsan && ctest --output-on-failure -j $(JOBS) --timeout 1800

# docs/screenshots/<view>-<light|dark>.png on the real master, under Xvfb.
screenshots: build
	tools/screenshots.sh $(BUILD_DIR)

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build
