package version

import (
	"fmt"
	"runtime"
)

// Set with -ldflags -X (see the package documentation).
var (
	Version   = "dev"
	GitCommit = "unknown"
	BuildDate = "unknown"
)

// Info is the build identity, for APIs and JSON output.
type Info struct {
	Version   string `json:"version"`
	GitCommit string `json:"git_commit"`
	BuildDate string `json:"build_date"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// Get returns the build identity of this binary.
func Get() Info {
	return Info{
		Version:   Version,
		GitCommit: GitCommit,
		BuildDate: BuildDate,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// String gives one line such as
// "gobfd v1.2.3 (commit abc1234, built 2026-11-24T12:00:00Z, go1.26.8 linux/amd64)".
func String(binary string) string {
	i := Get()
	return fmt.Sprintf("%s %s (commit %s, built %s, %s %s)", binary, i.Version, i.GitCommit, i.BuildDate, i.GoVersion, i.Platform)
}
