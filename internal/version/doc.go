// Package version holds the build identity of the gobfd binaries. The
// values are set at link time:
//
//	go build -ldflags "-X github.com/dantte-lp/gobfd/internal/version.Version=v1.2.3 \
//	  -X github.com/dantte-lp/gobfd/internal/version.GitCommit=abc1234 \
//	  -X github.com/dantte-lp/gobfd/internal/version.BuildDate=2026-11-24T12:00:00Z"
//
// `make build` does this for every binary.
package version
