# Thin wrapper over CMake. `make demo` and `make test` first install what is missing.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench install clean fuzz sanitize

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: deps
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: deps
	$(MAKE) build
	bash scripts/demo.sh $(BUILD)/bpel

# PREFIX=/usr/local by default: bpel in $(PREFIX)/bin, libbpel, headers under include/bpel, bpel.pc
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	bash bench/run_all.sh $(BUILD)/bpel

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer (a separate build).
# SANITIZE_SKIP: a ctest -E regex of tests to leave out (CI leaves out the four
# slowest end-to-end scripts, which take 20 of the sanitized suite's 25 minutes).
SANITIZE_BUILD ?= build-asan
SANITIZE_SKIP ?=
sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DBPEL_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) $(if $(SANITIZE_SKIP),-E '$(SANITIZE_SKIP)')

# Each parser's libFuzzer target for FUZZ_TIME seconds (clang; a separate build).
FUZZ_TIME ?= 600
FUZZ_BUILD ?= build-fuzz
fuzz:
	@bash scripts/install-deps.sh --fuzz
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPEL_FUZZ=ON -DBPEL_MPI=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME)

clean:
	rm -rf $(BUILD)
