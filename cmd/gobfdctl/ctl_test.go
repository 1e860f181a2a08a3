package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reeflective/readline"
	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/server"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// daemon is an engine with one file session to 198.19.1.1 and the API on
// a Unix socket; the peer does not answer, so the session stays Down.
func daemon(t *testing.T) string {
	t.Helper()
	eng := engine.New(netio.NewMem(), engine.Options{Shards: 1})
	eng.Start(context.Background())
	t.Cleanup(eng.Stop)
	cfg := config.Defaults()
	cfg.GRPC.Addr = ""
	cfg.GRPC.Socket = filepath.Join(t.TempDir(), "api.sock")
	cfg.Sessions = []config.Session{{Peer: "198.19.1.1", Local: "198.18.1.1", Type: "single_hop"}}
	for _, sc := range cfg.EngineSessions() {
		if _, err := eng.Add(sc); err != nil {
			t.Fatal(err)
		}
	}
	srv := server.New(server.Options{Engine: eng, Config: &cfg, Log: slog.New(slog.DiscardHandler)})
	if err := srv.Listen(cfg.GRPC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return "unix://" + cfg.GRPC.Socket
}

func ctl(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestCommandsInProcess(t *testing.T) {
	addr := daemon(t)
	out, errs, code := ctl(t, "", "--addr", addr, "session", "list")
	if code != 0 || !strings.Contains(out, "198.19.1.1") || !strings.Contains(out, "config") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	// JSON and YAML carry the same tree; counters are numbers.
	out, _, _ = ctl(t, "", "--addr", addr, "session", "show", "198.19.1.1", "-o", "json")
	var j map[string]any
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	if _, ok := j["counters"].(map[string]any)["packets_out"].(float64); !ok || j["peer"] != "198.19.1.1" {
		t.Fatalf("json: %v", j)
	}
	out2, _, _ := ctl(t, "", "--addr", addr, "session", "show", "198.19.1.1", "-o", "yaml")
	var y map[string]any
	if err := yaml.Unmarshal([]byte(out2), &y); err != nil || y["peer"] != "198.19.1.1" || y["owner"] != "OWNER_CONFIG" {
		t.Fatalf("yaml: %v %v", y, err)
	}
	// Refusals: one line, exit 1.
	_, errs, code = ctl(t, "", "--addr", addr, "session", "add", "198.19.1.2", "--local", "198.18.1.1", "--detect-mult", "0")
	if code != exitRefused || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "session.detect_mult") {
		t.Fatalf("bad add: %d %q", code, errs)
	}
	_, errs, code = ctl(t, "", "--addr", addr, "session", "delete", "198.19.1.1")
	if code != exitRefused || !strings.Contains(errs, "permission denied") {
		t.Fatalf("delete of a file session: %d %q", code, errs)
	}
	// Usage errors: exit 2.
	for _, args := range [][]string{{"session", "show"}, {"session", "list", "--state", "x"}, {"--format", "xml", "version"},
		{"session", "add", "198.19.1.2", "--auth-type", "md4"}, {"nope"}, {"session", "show", "not-an-ip"}} {
		if _, errs, code := ctl(t, "", append([]string{"--addr", addr}, args...)...); code != exitUsage {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
	// The shell, from standard input.
	out, errs, code = ctl(t, "session list\n\nsession show 198.19.1.1 -o json\nquit\nversion\n", "--addr", addr, "shell")
	if code != 0 || strings.Count(out, "PEER ") != 1 || !strings.Contains(out, `"peer": "198.19.1.1"`) || strings.Contains(out, "gobfdctl dev") {
		t.Fatalf("shell: %d %q %q", code, out, errs)
	}
}

// The shell completes commands, flags and the daemon's peers with cobra's
// completion machinery.
func TestShellCompletion(t *testing.T) {
	addr := daemon(t)
	sh := &shell{g: *defaultGlobals()}
	sh.g.addr = addr
	has := func(cs []readline.Completion, v string) bool {
		for _, c := range cs {
			if c.Value == v+" " && c.Display == v {
				return true
			}
		}
		return false
	}
	if p := sh.candidates("ses"); !has(p, "session") || !has(p, "exit") {
		t.Fatalf("commands: %v", p)
	}
	if p := sh.candidates("session "); !has(p, "list") || !has(p, "disable") {
		t.Fatalf("subcommands: %v", p)
	}
	if p := sh.candidates("session show "); !has(p, "198.19.1.1") {
		t.Fatalf("peers: %v", p)
	}
	if p := sh.candidates("session list --st"); !has(p, "--state") {
		t.Fatalf("flags: %v", p)
	}
	if p := sh.candidates("session list --state "); !has(p, "admin_down") {
		t.Fatalf("flag values: %v", p)
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string][]string{
		`session add 198.19.0.1 --local "198.18.0.1"`: {"session", "add", "198.19.0.1", "--local", "198.18.0.1"},
		`a 'b c' d\ e ""`: {"a", "b c", "d e", ""},
		"  ":              nil,
	} {
		got, err := splitWords(in)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	if _, err := splitWords(`a "b`); err == nil {
		t.Error("unterminated quote accepted")
	}
}

// Coloured states keep the table's columns aligned.
func TestColoursKeepColumns(t *testing.T) {
	var plain, col bytes.Buffer
	ss := sampleSessions()
	sessionTable(&plain, ss, false)
	sessionTable(&col, ss, true)
	strip := func(s string) string {
		for _, c := range []string{"\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[90m", "\x1b[39m", "\x1b[0m"} {
			s = strings.ReplaceAll(s, c, "")
		}
		return s
	}
	// Every colour sequence pair is 9 bytes in every row, so the padding
	// is the same: stripping them gives the plain table.
	if strip(col.String()) != plain.String() {
		t.Fatalf("coloured table differs:\n%s\n%s", col.String(), plain.String())
	}
}

func TestUnixPath(t *testing.T) {
	for in, want := range map[string]string{"unix:///run/gobfd.sock": "/run/gobfd.sock", "unix:/run/x": "/run/x"} {
		if got, ok := unixPath(in); !ok || got != want {
			t.Errorf("%s: %s", in, got)
		}
	}
	if _, ok := unixPath("127.0.0.1:50051"); ok {
		t.Error("tcp address taken for a socket")
	}
	_ = netip.Addr{}
	_ = time.Second
}
