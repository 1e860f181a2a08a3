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

.PHONY: all build test bench bench-system fuzz lint demo simdemo proto packages test-packages release-check clean

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
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^pkg/bfdpb/.*\.\(pb\|connect\)\.go$$')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go tool staticcheck ./...

## proto: regenerate pkg/bfdpb from api/ with Debian's protoc (apt-get
## install protobuf-compiler libprotobuf-dev) and the plugins pinned as Go
## tools in go.mod; PROTO_OUT=dir writes the tree elsewhere (the test
## pkg/bfdpb/generate_test.go compares that with the committed code)
PROTO_OUT ?= .
proto:
	protoc -I api -I /usr/include \
		--plugin=protoc-gen-go=$$(go tool -n protoc-gen-go) \
		--plugin=protoc-gen-connect-go=$$(go tool -n protoc-gen-connect-go) \
		--go_out=$(PROTO_OUT) --go_opt=module=$(MODULE) \
		--connect-go_out=$(PROTO_OUT) --connect-go_opt=module=$(MODULE) \
		bfd/v1/bfd.proto

## bench-system: gobfd, BIRD and FRR side by side in network namespaces,
## the ceiling, detection latency and stress runs (root; apt-get install
## bird2 frr tcpdump nftables stress-ng; ~25 min): bench/results/system.{jsonl,md,png}
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

## packages: the .deb and .rpm for amd64 into dist/ (gobfd_VERSION_amd64.deb,
## gobfd_VERSION_amd64.rpm: the names the deployment guide installs), from `make build`,
## with nfpm (deployments/nfpm/nfpm.yaml; pinned in tools/go.mod, fetched
## from the Go module proxy on first use). The package version is the
## v-tag (1.2.3, 1.2.3+4.gabc1234) or, without one, 0.0.0~gitDATE.COMMIT
PKG_VERSION ?= $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed -E 's/^v//; s/-([0-9]+)-g/+\1.g/' | grep . || \
	echo "0.0.0~git$$(git log -1 --format=%cd --date=format:%Y%m%d 2>/dev/null || date -u +%Y%m%d).$(GIT_COMMIT)")
TOOL := go tool -modfile=tools/go.mod
packages:
	GOARCH=amd64 $(MAKE) build
	@mkdir -p dist
	rm -f dist/gobfd_*.deb dist/gobfd_*.rpm dist/gobfd-*.rpm
	@for p in deb rpm; do \
		target=dist/; [ $$p = rpm ] && target='dist/gobfd_$(PKG_VERSION)_amd64.rpm'; \
		echo "nfpm pkg --packager $$p --target $$target (version $(PKG_VERSION))"; \
		GOARCH=amd64 PKG_VERSION='$(PKG_VERSION)' $(TOOL) nfpm pkg --config deployments/nfpm/nfpm.yaml \
			--packager $$p --target "$$target" || exit 1; \
	done

## test-packages: build and inspect the packages, install the .deb, run the
## installed daemon as user gobfd against a second one in namespaces,
## upgrade, purge (root; apt-get install rpm lintian): test/packaging/run.sh
test-packages:
	bash test/packaging/run.sh

## release-check: validate .goreleaser.yml (GoReleaser pinned in tools/go.mod)
release-check:
	$(TOOL) goreleaser check

clean:
	rm -rf bin dist
