package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// The shipped monitoring configuration (deployments/compose/configs).
const (
	shippedRules     = "../../deployments/compose/configs/prometheus/rules/gobfd.rules.yml"
	shippedDashboard = "../../deployments/compose/configs/grafana/dashboards/bfd.json"
)

// A real Prometheus (Debian's) scrapes a real daemon with live sessions
// and evaluates the shipped alert rules: it sees the sessions Up; after the
// wire is cut, the Up -> Down transitions and the GoBFDSessionDown alert
// firing; every rule evaluates without error. And every metric name the
// dashboard and the rules use is in the daemon's /metrics.
func TestPrometheusScrapesLiveSessions(t *testing.T) {
	netns.Skip(t)
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("needs Prometheus (apt-get install prometheus)")
	}
	a, b := netns.Pair(t, "e2p")
	da := startDaemon(t, a, "metrics: {addr: \"127.0.0.1:9100\"}\n"+
		sessionsYAML("50ms", "198.18.0.2", "198.18.0.1", "2001:db8::2", "2001:db8::1"))
	startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2", "2001:db8::1", "2001:db8::2"))
	prom := startPrometheus(t, promBin, a, "127.0.0.1:9100")

	for _, p := range []string{"198.18.0.2", "2001:db8::2"} {
		da.waitFor(0, p+" Up", change(p, "Up"), 10*time.Second)
	}
	prom.waitValue(`sum(gobfd_bfd_sessions{job="gobfd",state="Up"})`, "both sessions Up",
		func(v float64) bool { return v == 2 }, 20*time.Second)
	prom.waitValue(`count(gobfd_bfd_session_up_seconds{session_type="single_hop"} > 0)`, "per-session series",
		func(v float64) bool { return v == 2 }, 10*time.Second)
	prom.waitValue(`sum(rate(gobfd_bfd_packets_received_total[5s]))`, "packets arriving",
		func(v float64) bool { return v > 10 }, 10*time.Second) // 2 sessions at 50 ms: ~40/s

	t.Run("MetricNamesExist", func(t *testing.T) {
		body, err := nsGet(a, "http://127.0.0.1:9100/metrics")
		if err != nil {
			t.Fatal(err)
		}
		have := exposedNames(string(body))
		for _, f := range []string{shippedDashboard, shippedRules} {
			used := usedNames(t, f)
			if len(used) < 5 {
				t.Fatalf("%s: only %v", f, used)
			}
			for _, n := range used {
				if !have[n] {
					t.Errorf("%s uses %s, which gobfd does not export", filepath.Base(f), n)
				}
			}
			t.Logf("%s: %d metric names, all exported", filepath.Base(f), len(used))
		}
	})

	m := da.mark()
	silence(t, b, "v"+b, true)
	for _, p := range []string{"198.18.0.2", "2001:db8::2"} {
		da.waitFor(m, p+" Down", change(p, "Down"), 5*time.Second)
	}
	prom.waitValue(`sum(gobfd_bfd_state_transitions_total{from_state="Up",to_state="Down"})`, "Up->Down transitions",
		func(v float64) bool { return v == 2 }, 10*time.Second)
	prom.waitValue(`sum(gobfd_bfd_sessions{state="Up"})`, "no session Up",
		func(v float64) bool { return v == 0 }, 10*time.Second)
	prom.waitAlert("GoBFDSessionDown", 15*time.Second)
	prom.rulesHealthy()
}

// prometheus is a Prometheus server in a namespace.
type prometheus struct {
	t    *testing.T
	ns   string
	base string
}

// startPrometheus runs Prometheus in ns, scraping target every second
// and evaluating the shipped rules every second; it is stopped at cleanup.
func startPrometheus(t *testing.T, bin, ns, target string) *prometheus {
	t.Helper()
	dir := t.TempDir()
	rules, err := filepath.Abs(shippedRules)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [%q]
scrape_configs:
  - job_name: gobfd
    static_configs: [{targets: [%q]}]
`, rules, target)
	writeFile(t, filepath.Join(dir, "prometheus.yml"), cfg)
	const listen = "127.0.0.1:9090"
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+listen, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logf.Name())
			t.Logf("prometheus log:\n%s", out)
		}
	})
	p := &prometheus{t: t, ns: ns, base: "http://" + listen}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if body, err := nsGet(ns, p.base+"/-/ready"); err == nil && strings.Contains(string(body), "Ready") {
			return p
		}
		select {
		case <-done:
			t.Fatal("prometheus exited")
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("prometheus not ready after 20 s")
		}
	}
}

// query runs an instant query and returns the value of its single sample
// (ok false when the result is empty).
func (p *prometheus) query(q string) (v float64, ok bool, err error) {
	body, err := nsGet(p.ns, p.base+"/api/v1/query?query="+url.QueryEscape(q))
	if err != nil {
		return 0, false, err
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, false, fmt.Errorf("%v: %s", err, body)
	}
	if r.Status != "success" {
		return 0, false, fmt.Errorf("query %s: %s", q, r.Error)
	}
	switch len(r.Data.Result) {
	case 0:
		return 0, false, nil
	case 1:
		s, _ := r.Data.Result[0].Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil, err
	}
	return 0, false, fmt.Errorf("query %s: %d samples, want one", q, len(r.Data.Result))
}

// waitValue polls q until ok(value) or the timeout.
func (p *prometheus) waitValue(q, what string, ok func(float64) bool, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		v, has, err := p.query(q)
		switch {
		case err != nil:
			last = err.Error()
		case !has:
			last = "no sample"
		case ok(v):
			p.t.Logf("%s: %s = %v", what, q, v)
			return
		default:
			last = fmt.Sprint(v)
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s after %v: %s", what, q, timeout, last)
		}
		time.Sleep(200 * time.Millisecond) // polling, not a timing assertion
	}
}

// waitAlert waits until the named alert is firing.
func (p *prometheus) waitAlert(name string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		body, err := nsGet(p.ns, p.base+"/api/v1/alerts")
		if err == nil {
			var r struct {
				Data struct {
					Alerts []struct {
						Labels map[string]string `json:"labels"`
						State  string            `json:"state"`
					} `json:"alerts"`
				} `json:"data"`
			}
			json.Unmarshal(body, &r)
			for _, a := range r.Data.Alerts {
				if a.Labels["alertname"] == name && a.State == "firing" {
					p.t.Logf("alert %s firing: %v", name, a.Labels)
					return
				}
			}
			last = string(body)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("alert %s not firing after %v: %s", name, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// rulesHealthy checks that Prometheus loaded every shipped rule and
// evaluated each without error (a wrong label match or a type error only
// shows at evaluation).
func (p *prometheus) rulesHealthy() {
	p.t.Helper()
	body, err := nsGet(p.ns, p.base+"/api/v1/rules")
	if err != nil {
		p.t.Fatal(err)
	}
	var r struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name      string `json:"name"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		p.t.Fatal(err)
	}
	n := 0
	for _, g := range r.Data.Groups {
		for _, rule := range g.Rules {
			n++
			if rule.Health != "ok" {
				p.t.Errorf("rule %s: health %q %s", rule.Name, rule.Health, rule.LastError)
			}
		}
	}
	if n < 6 {
		p.t.Fatalf("%d rules loaded", n)
	}
	p.t.Logf("%d rules loaded and evaluated without error", n)
}

// nsGet makes one HTTP GET from inside namespace ns: the connection is
// dialled on a thread in ns, and the request sent over it.
func nsGet(ns, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	var conn net.Conn
	if err := netns.Do(ns, func() error {
		c, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
		conn = c
		return err
	}); err != nil {
		return nil, err
	}
	used := false
	tr := &http.Transport{DisableKeepAlives: true,
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			if used {
				return nil, errors.New("nsGet: one connection per request")
			}
			used = true
			return conn, nil
		}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(rawURL)
	if err != nil {
		conn.Close()
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s: %s", rawURL, resp.Status, body)
	}
	return body, err
}

// exposedNames is the set of sample names (histograms' _bucket, _sum and
// _count included) and family names of a text exposition.
func exposedNames(exposition string) map[string]bool {
	have := map[string]bool{}
	for _, l := range strings.Split(exposition, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			have[f[2]] = true
		} else if l != "" && l[0] != '#' {
			have[strings.FieldsFunc(l, func(r rune) bool { return r == '{' || r == ' ' })[0]] = true
		}
	}
	return have
}

// metricName matches the names of gobfd's own, process and Go runtime
// metrics wherever a file mentions them (queries, descriptions, comments).
var metricName = regexp.MustCompile(`\b(?:gobfd|process|go)_[a-z0-9_]*[a-z0-9]\b`)

func usedNames(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	names := metricName.FindAllString(string(b), -1)
	slices.Sort(names)
	return slices.Compact(names)
}
