# gobfd — build, test, benchmark, fuzz, lint.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)

MODULE     := github.com/dantte-lp/gobfd
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GIT_COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -s -w \
	-X $(MODULE)/internal/version.Version=$(VERSION) \
	-X $(MODULE)/internal/version.GitCommit=$(GIT_COMMIT) \
	-X $(MODULE)/internal/version.BuildDate=$(BUILD_DATE)
CMDS       := $(notdir $(wildcard cmd/*))
FUZZTIME   ?= 30s
FUZZPKGS   := ./internal/packet
BENCHPKGS  := ./internal/packet ./internal/session ./internal/engine ./internal/metrics

.PHONY: all build test bench bench-system fuzz lint demo simdemo clean

all: build test

## build: every binary under cmd/ into bin/, static, with version ldflags
build:
	@mkdir -p bin
	@for c in $(CMDS); do \
		echo "go build -o bin/$$c ./cmd/$$c"; \
		CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/$$c ./cmd/$$c || exit 1; \
	done

## test: vet, then every test with the race detector (root-only and
## tshark tests skip themselves where they cannot run)
test:
	go vet ./...
	go test -race -count=1 ./...

## bench: the hot-path Go benchmarks (figures in docs/en/12-benchmarks.md)
bench:
	go test -run '^$$' -bench . -benchmem $(BENCHPKGS)

## fuzz: every fuzz target for FUZZTIME each (make fuzz FUZZTIME=10m)
fuzz:
	@for p in $(FUZZPKGS); do \
		for f in $$(go test -list 'Fuzz.*' $$p | grep '^Fuzz'); do \
			echo "== $$p $$f ($(FUZZTIME))"; \
			go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
		done; \
	done

## lint: formatting, vet, staticcheck (pinned as a Go tool in go.mod)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^pkg/bfdpb/')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go tool staticcheck ./...

## bench-system: gobfd, BIRD and FRR side by side in network namespaces,
## the ceiling, detection latency and stress runs (root; apt-get install
## bird2 frr tcpdump stress-ng; ~25 min): bench/results/system.{jsonl,md,png}
BENCH_HOLD ?= 60s
bench-system: build
	BENCH_HOLD=$(BENCH_HOLD) bash bench/system.sh

## demo: two gobfd daemons in network namespaces (root): Up, a silenced
## wire detected, recovery, graceful shutdown; without root, the simulator
demo:
	bash scripts/demo.sh

## simdemo: the same story over the deterministic network simulator
simdemo:
	go run ./examples/simdemo

clean:
	rm -rf bin dist
