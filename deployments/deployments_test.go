package deployments_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The contract of the deployment guide (docs/en/06-deployment.md).
var (
	guideBinaries = []string{"gobfd", "gobfdctl", "gobfd-haproxy-agent", "gobfd-exabgp-bridge"}
	guideCaps     = []string{"NET_ADMIN", "NET_RAW"} // and nothing else
)

const (
	guideImage      = "ghcr.io/dantte-lp/gobfd"
	guideConfigPath = "/etc/gobfd/gobfd.yml"
	guideAPIPort    = "50051"
	guideMetrics    = "9100"
	guideGOMEMLIMIT = "256MiB"
	imageUID        = "10001" // the gobfd user of the images
)

// repo is the repository root (tests run in deployments/).
const repo = ".."

// repoPath is a repository-relative path as the test sees it.
func repoPath(rel string) string { return filepath.Join(repo, filepath.FromSlash(rel)) }

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(repoPath(rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readYAML decodes every document of a repository file.
func readYAML(t *testing.T, rel string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(readFile(t, rel)))
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			return docs
		} else if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// mustExist fails t for a repository path that is not there.
func mustExist(t *testing.T, what, rel string) {
	t.Helper()
	if _, err := os.Stat(repoPath(rel)); err != nil {
		t.Errorf("%s: %s does not exist in the repository", what, rel)
	}
}

// get walks a decoded YAML tree: get(doc, "spec", "template", "spec").
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any, keys ...string) string {
	s, _ := get(v, keys...).(string)
	return s
}

func list(v any, keys ...string) []any {
	l, _ := get(v, keys...).([]any)
	return l
}

// strs is a YAML list of scalars as strings.
func strs(v any, keys ...string) []string {
	var out []string
	for _, e := range list(v, keys...) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s]--; seen[s] < 0 {
			return false
		}
	}
	return true
}

// port is the port of host:port (":9100", "127.0.0.1:9100", "[::1]:9100").
func port(addr string) string {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}
