package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// Every gobfdctl command against a real daemon: version, session
// list/show/add/set/disable/enable/delete, monitor, completion, shell,
// the Unix socket, and the message for a daemon that is not there.
func TestCLIEveryCommand(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "eac")
	netns.IP(t, "-n", a, "addr", "add", "198.18.0.11/24", "dev", "v"+a)
	netns.IP(t, "-n", b, "addr", "add", "198.18.0.12/24", "dev", "v"+b)
	sock := filepath.Join(t.TempDir(), "gobfd.sock")
	da := startDaemon(t, a, "grpc: {socket: "+sock+"}\n"+sessionsYAML("50ms", "198.18.0.2", "198.18.0.1"))
	db := startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2"))
	da.waitFor(0, "Up", change("198.18.0.2", "Up"), 5*time.Second)
	da.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)
	db.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)

	// version: client and daemon.
	out := ctlOK(t, a, "version")
	if !strings.HasPrefix(out, "gobfdctl ") || !strings.Contains(out, "\ngobfd ") || !strings.Contains(out, "at 127.0.0.1:50051") {
		t.Fatalf("version:\n%s", out)
	}
	var ver map[string]map[string]any
	if err := json.Unmarshal([]byte(ctlOK(t, a, "version", "-o", "json")), &ver); err != nil || ver["daemon"]["go_version"] == nil {
		t.Fatalf("version json: %v %v", ver, err)
	}

	// session list: a table, JSON and YAML.
	out = ctlOK(t, a, "session", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "PEER ") || !strings.Contains(lines[1], "198.18.0.2") ||
		!strings.Contains(lines[1], " Up ") || !strings.HasSuffix(lines[1], "config") {
		t.Fatalf("list:\n%s", out)
	}
	// Columns are aligned: STATE starts at the same offset in both lines.
	if strings.Index(lines[0], "STATE") != strings.Index(lines[1], "Up ") {
		t.Fatalf("columns not aligned:\n%s", out)
	}
	var list struct {
		Sessions []struct {
			Peer               string `json:"peer"`
			State              string `json:"state"`
			LocalDiscriminator uint32 `json:"local_discriminator"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(ctlOK(t, a, "session", "list", "-o", "json")), &list); err != nil ||
		len(list.Sessions) != 1 || list.Sessions[0].State != "SESSION_STATE_UP" {
		t.Fatalf("list json: %+v %v", list, err)
	}
	if y := ctlOK(t, a, "session", "list", "--format", "yaml", "--state", "up"); !strings.Contains(y, "state: SESSION_STATE_UP") {
		t.Fatalf("list yaml:\n%s", y)
	}
	if out := ctlOK(t, a, "session", "list", "--state", "down"); strings.TrimSpace(out) != "no sessions" {
		t.Fatalf("list --state down:\n%s", out)
	}

	// session show, by peer and by discriminator.
	out = ctlOK(t, a, "session", "show", "198.18.0.2")
	for _, want := range []string{"RFC 5880 §6.8.1", "DesiredMinTxInterval", "RemoteDiscr", "Detection time", "150ms", "Packets in / out"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show lacks %q:\n%s", want, out)
		}
	}
	d := list.Sessions[0].LocalDiscriminator
	if out := ctlOK(t, a, "session", "show", itoa(d), "-o", "json"); !strings.Contains(out, `"peer": "198.18.0.2"`) {
		t.Fatalf("show by discriminator:\n%s", out)
	}

	// monitor --current, running while sessions change below.
	mon := exec.Command("ip", "netns", "exec", a, ctlBin(t), "monitor", "--current", "-o", "json")
	monOut, err := mon.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mon.Process.Kill(); mon.Wait() })
	events := make(chan map[string]any, 64)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(monOut)
		for sc.Scan() {
			var ev map[string]any
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				events <- ev
			}
		}
	}()
	nextEvent := func(kind string) map[string]any {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("monitor ended before %s", kind)
				}
				if ev["kind"] == kind {
					return ev
				}
			case <-timeout:
				t.Fatalf("no %s event from monitor", kind)
			}
		}
	}
	if ev := nextEvent("EVENT_KIND_CURRENT"); ev["new_state"] != "SESSION_STATE_UP" {
		t.Fatalf("monitor current: %v", ev)
	}
	nextEvent("EVENT_KIND_CURRENT_END")

	// session add on both sides: run-time sessions, Up.
	// Bound to the interface: gobfd opens receive sockets on it for the
	// API session as it does for the file's.
	out = ctlOK(t, a, "session", "add", "198.18.0.12", "--local", "198.18.0.11", "--interface", "v"+a,
		"--desired-min-tx", "50ms", "--required-min-rx", "50ms")
	if !strings.Contains(out, "198.18.0.12") || !strings.Contains(out, "v"+a) || !strings.HasSuffix(strings.TrimSpace(out), "api") {
		t.Fatalf("add:\n%s", out)
	}
	ctlOK(t, b, "session", "add", "198.18.0.11", "--local", "198.18.0.12", "--desired-min-tx", "50ms", "--required-min-rx", "50ms")
	ev := nextEvent("EVENT_KIND_STATE_CHANGE")
	for ev["new_state"] != "SESSION_STATE_UP" {
		ev = nextEvent("EVENT_KIND_STATE_CHANGE")
	}
	if k := ev["key"].(map[string]any); k["peer"] != "198.18.0.12" {
		t.Fatalf("monitor: %v", ev)
	}
	if r := ctl(t, a, "session", "add", "198.18.0.12", "--local", "198.18.0.11", "--interface", "v"+a); r.code != 1 || !strings.Contains(r.err, "already exists") {
		t.Fatalf("second add: %+v", r)
	}
	if r := ctl(t, a, "session", "add", "198.18.0.13", "--local", "198.18.0.11", "--interface", "nosuch0"); r.code != 1 ||
		!strings.Contains(r.err, "invalid argument: session.interface") {
		t.Fatalf("add on a missing interface: %+v", r)
	}

	// session set: a new multiplier, without a flap.
	m := da.mark()
	out = ctlOK(t, a, "session", "set", "198.18.0.12", "--detect-mult", "5", "-o", "json")
	if !strings.Contains(out, `"detect_mult": 5`) {
		t.Fatalf("set:\n%s", out)
	}

	// session set --auth-*: both ends switch to keyed SHA1 (RFC 5880
	// §6.7.4), one after the other, without a flap. Until the second end
	// has switched, each drops the other's packets (§6.8.6: the A bit and
	// bfd.AuthType disagree), so the multipliers go up first: a detection
	// time of 20 x 50 ms covers the gap between the two commands.
	ctlOK(t, a, "session", "set", "198.18.0.12", "--detect-mult", "20")
	ctlOK(t, b, "session", "set", "198.18.0.11", "--detect-mult", "20")
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("gobfd-e2e-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ma, mb0, switched := da.mark(), db.mark(), time.Now()
	out = ctlOK(t, a, "session", "set", "198.18.0.12", "--auth-type", "keyed_sha1", "--auth-key-id", "3", "--auth-secret-file", secret, "-o", "json")
	if !strings.Contains(out, `"auth_type": "AUTH_TYPE_KEYED_SHA1"`) || !strings.Contains(out, `"auth_key_id": 3`) || strings.Contains(out, "gobfd-e2e-key") {
		t.Fatalf("set --auth-type (the secret is never shown):\n%s", out)
	}
	ctlOK(t, b, "session", "set", "198.18.0.11", "--auth-type", "keyed_sha1", "--auth-key-id", "3", "--auth-secret", "gobfd-e2e-key")
	type shown struct {
		State     string `json:"state"`
		Variables struct {
			AuthType     string `json:"auth_type"`
			AuthSeqKnown bool   `json:"auth_seq_known"`
			RcvAuthSeq   uint64 `json:"rcv_auth_seq"`
		} `json:"variables"`
		Counters struct {
			PacketsIn uint64 `json:"packets_in"`
		} `json:"counters"`
	}
	show := func(ns, peer string) shown {
		t.Helper()
		var v shown
		if err := json.Unmarshal([]byte(ctlOK(t, ns, "session", "show", peer, "-o", "json")), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	time.Sleep(500 * time.Millisecond) // a few authenticated packets each way
	a1, b1 := show(a, "198.18.0.12"), show(b, "198.18.0.11")
	time.Sleep(500 * time.Millisecond)
	a2, b2 := show(a, "198.18.0.12"), show(b, "198.18.0.11")
	for _, v := range []struct {
		side         string
		before, then shown
	}{{"A", a1, a2}, {"B", b1, b2}} {
		// Keyed SHA1 packets arrive and pass: the session is Up, it knows
		// the peer's sequence number and the number moves.
		if v.then.State != "SESSION_STATE_UP" || v.then.Variables.AuthType != "AUTH_TYPE_KEYED_SHA1" || !v.then.Variables.AuthSeqKnown ||
			v.then.Variables.RcvAuthSeq == v.before.Variables.RcvAuthSeq || v.then.Counters.PacketsIn <= v.before.Counters.PacketsIn {
			t.Fatalf("%s after the switch to keyed SHA1: %+v then %+v", v.side, v.before, v.then)
		}
	}
	if ch := append(da.changesSince(ma, switched), db.changesSince(mb0, switched)...); len(ch) > 0 {
		t.Fatalf("the switch to authentication changed a state: %s", ch[0])
	}

	// disable / enable: the peer sees AdminDown (diag 7).
	mb := db.mark()
	if out := ctlOK(t, a, "session", "disable", "198.18.0.12"); !strings.Contains(out, "AdminDown") {
		t.Fatalf("disable:\n%s", out)
	}
	l, _ := db.waitFor(mb, "peer Down", change("198.18.0.11", "Down"), 3*time.Second)
	if l.RemoteDiag != "AdministrativelyDown" {
		t.Fatalf("the peer saw remote diag %s", l.RemoteDiag)
	}
	ctlOK(t, a, "session", "enable", "198.18.0.12")
	da.waitFor(m, "Up again", change("198.18.0.12", "Up"), 5*time.Second)
	for _, line := range da.lines()[m:] {
		if strings.Contains(line, "session state changed") && strings.Contains(line, `"from":"Up"`) &&
			!strings.Contains(line, `"to":"AdminDown"`) {
			t.Fatalf("set flapped the session: %s", line)
		}
	}

	// delete: the file's session needs --force; the API's goes.
	if r := ctl(t, a, "session", "delete", "198.18.0.2"); r.code != 1 || !strings.Contains(r.err, "permission denied") ||
		!strings.Contains(r.err, "configuration file") {
		t.Fatalf("delete of a file session: %+v", r)
	}
	mb = db.mark()
	if out := ctlOK(t, a, "session", "delete", "198.18.0.12"); !strings.Contains(out, "deleted") {
		t.Fatalf("delete:\n%s", out)
	}
	l, _ = db.waitFor(mb, "peer Down", change("198.18.0.11", "Down"), 3*time.Second)
	if l.RemoteDiag != "AdministrativelyDown" {
		t.Fatalf("delete: the peer saw remote diag %s, want AdminDown first", l.RemoteDiag)
	}
	if r := ctl(t, a, "session", "show", "198.18.0.12"); r.code != 1 || !strings.Contains(r.err, "not found") {
		t.Fatalf("show after delete: %+v", r)
	}

	// monitor stops cleanly on Ctrl-C.
	mon.Process.Signal(syscall.SIGINT)
	if err := mon.Wait(); err != nil {
		t.Fatalf("monitor after SIGINT: %v", err)
	}

	// completion: scripts for three shells, and peers from the daemon.
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if out := ctlOK(t, a, "completion", sh); !strings.Contains(out, "gobfdctl") {
			t.Fatalf("completion %s:\n%.200s", sh, out)
		}
	}
	if out := ctlOK(t, a, "__complete", "session", "show", ""); !strings.Contains(out, "198.18.0.2\t") {
		t.Fatalf("peer completion:\n%s", out)
	}

	// shell, reading commands from standard input.
	r := ctlIn(t, a, "session list\nversion\nsession bogus\nexit\nsession list\n", "shell")
	if r.code != 0 || strings.Count(r.out, "PEER ") != 1 || !strings.Contains(r.out, "gobfd dev") ||
		!strings.Contains(r.err, `unknown command "bogus"`) {
		t.Fatalf("shell: %+v", r)
	}

	// The Unix socket, from outside the namespace.
	if out := ctlOK(t, "", "--addr", "unix://"+sock, "session", "list"); !strings.Contains(out, "198.18.0.2") {
		t.Fatalf("over the socket:\n%s", out)
	}

	// No daemon: one line, naming the address and how to start gobfd.
	r = ctl(t, a, "--addr", "127.0.0.1:1", "session", "list")
	if r.code != 3 || strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, "cannot reach gobfd at 127.0.0.1:1") ||
		!strings.Contains(r.err, "systemctl start gobfd") {
		t.Fatalf("unreachable: %+v", r)
	}
	if r := ctl(t, a, "session", "list", "--state", "sideways"); r.code != 2 || !strings.Contains(r.err, "--state") {
		t.Fatalf("usage error: %+v", r)
	}
}

func itoa(v uint32) string {
	b, _ := json.Marshal(v)
	return string(b)
}
