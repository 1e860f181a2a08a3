// Package configs_test checks the monitoring configuration shipped for the
// compose stack: Prometheus's config and alert rules with promtool (syntax,
// and the rules' unit tests over synthetic series), and the Grafana
// dashboard and provisioning for consistency. That every metric they use
// exists in a real scrape is checked by test/e2e (prometheus_test.go).
package configs_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func promtool(t *testing.T, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("promtool"); err != nil {
		t.Skip("needs promtool (apt-get install prometheus)")
	}
	out, err := exec.Command("promtool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
}

func TestPromtoolCheckConfig(t *testing.T) {
	promtool(t, "check", "config", "prometheus/prometheus.yml")
}

func TestPromtoolCheckRules(t *testing.T) {
	promtool(t, "check", "rules", "prometheus/rules/gobfd.rules.yml")
}

// The alerts fire (and stay quiet) as documented, over synthetic series.
func TestPromtoolRuleTests(t *testing.T) {
	promtool(t, "test", "rules", "prometheus/tests/gobfd.rules.test.yml")
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func readRules(t *testing.T) []rule {
	t.Helper()
	b, err := os.ReadFile("prometheus/rules/gobfd.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var rs []rule
	for _, g := range f.Groups {
		rs = append(rs, g.Rules...)
	}
	return rs
}

// Every alert the issue asks for exists, has a severity, a summary and a
// description, and a unit test.
func TestAlertRules(t *testing.T) {
	tests, err := os.ReadFile("prometheus/tests/gobfd.rules.test.yml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range readRules(t) {
		names = append(names, r.Alert)
		if s := r.Labels["severity"]; s != "critical" && s != "warning" {
			t.Errorf("%s: severity %q", r.Alert, s)
		}
		if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
			t.Errorf("%s: no summary or description", r.Alert)
		}
		if !strings.Contains(string(tests), "alertname: "+r.Alert+"\n") {
			t.Errorf("%s: no unit test in prometheus/tests/gobfd.rules.test.yml", r.Alert)
		}
	}
	for _, want := range []string{"GoBFDSessionDown", "GoBFDSessionsNotUp", "GoBFDSessionFlapping", "GoBFDAuthFailures",
		"GoBFDTxLatenessHigh", "GoBFDMemoryNearLimit"} {
		if !slices.Contains(names, want) {
			t.Errorf("no alert %s", want)
		}
	}
	// The deployment guide's checklist names this exact selector.
	for _, r := range readRules(t) {
		if r.Alert == "GoBFDSessionDown" &&
			!strings.Contains(r.Expr, `gobfd_bfd_state_transitions_total{from_state="Up",to_state="Down"}`) {
			t.Errorf("GoBFDSessionDown: %s", r.Expr)
		}
	}
}

type dashboard struct {
	UID        string `json:"uid"`
	Templating struct {
		List []struct {
			Name    string `json:"name"`
			Type    string `json:"type"`
			Query   any    `json:"query"`
			Current struct {
				Value any `json:"value"`
			} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		GridPos struct{ X, Y, W, H int } `json:"gridPos"`
		Targets []struct {
			Expr       string `json:"expr"`
			RefID      string `json:"refId"`
			Format     string `json:"format"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile("grafana/dashboards/bfd.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("bfd.json: %v", err)
	}
	return d
}

// The dashboard has the panels the issue lists, every query uses the
// data source variable, panels have unique ids and do not overlap on
// Grafana's 24-column grid.
func TestDashboard(t *testing.T) {
	d := readDashboard(t)
	byTitle := map[string]string{}
	ids := map[int]bool{}
	var cells [24][100]int
	for _, p := range d.Panels {
		byTitle[p.Title] = p.Type
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		g := p.GridPos
		if g.W < 1 || g.H < 1 || g.X < 0 || g.X+g.W > 24 || g.Y < 0 || g.Y+g.H > 100 {
			t.Errorf("%s: gridPos %+v", p.Title, g)
			continue
		}
		for x := g.X; x < g.X+g.W; x++ {
			for y := g.Y; y < g.Y+g.H; y++ {
				if cells[x][y] != 0 {
					t.Errorf("%s overlaps panel %d", p.Title, cells[x][y])
				}
				cells[x][y] = p.ID
			}
		}
		if p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("%s: data source %q, %d queries", p.Title, p.Datasource.UID, len(p.Targets))
		}
		for _, q := range p.Targets {
			if q.Expr == "" || q.RefID == "" || q.Datasource.UID != "${datasource}" {
				t.Errorf("%s: query %+v", p.Title, q)
			}
			if !strings.Contains(q.Expr, `instance=~"$instance"`) {
				t.Errorf("%s: %s ignores the instance variable", p.Title, q.Expr)
			}
		}
	}
	for title, typ := range map[string]string{
		"Sessions by state": "timeseries", "State transitions": "timeseries", "Packet rates": "timeseries",
		"Drops by reason": "timeseries", "TX lateness": "heatmap", "Detection latency": "heatmap",
		"Memory vs GOMEMLIMIT": "timeseries",
	} {
		if byTitle[title] != typ {
			t.Errorf("panel %q: type %q, want %s", title, byTitle[title], typ)
		}
	}
}

// The provisioned data source is the dashboard variable's default, the
// dashboard provider reads the directory the compose stack mounts, and the
// job the rules and the dashboard select is the one Prometheus scrapes.
func TestProvisioning(t *testing.T) {
	var ds struct {
		Datasources []struct {
			UID, Type, URL string
		} `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yml", &ds)
	d := readDashboard(t)
	for _, v := range d.Templating.List {
		if v.Name == "datasource" && (len(ds.Datasources) != 1 || v.Current.Value != ds.Datasources[0].UID ||
			ds.Datasources[0].Type != "prometheus") {
			t.Errorf("dashboard data source %v, provisioned %+v", v.Current.Value, ds.Datasources)
		}
	}
	var dp struct {
		Providers []struct {
			Options struct{ Path string } `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/gobfd.yml", &dp)
	if len(dp.Providers) != 1 || dp.Providers[0].Options.Path != "/var/lib/grafana/dashboards" {
		t.Errorf("dashboard provider: %+v", dp.Providers)
	}
	var pc struct {
		ScrapeConfigs []struct {
			JobName string `yaml:"job_name"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, "prometheus/prometheus.yml", &pc)
	if len(pc.ScrapeConfigs) != 1 || pc.ScrapeConfigs[0].JobName != "gobfd" {
		t.Fatalf("scrape configs: %+v", pc.ScrapeConfigs)
	}
	b, _ := os.ReadFile("grafana/dashboards/bfd.json")
	r, _ := os.ReadFile("prometheus/rules/gobfd.rules.yml")
	jobs := regexp.MustCompile(`job\s*=~?\s*\\?"([^"\\]*)`).FindAllStringSubmatch(string(b)+string(r), -1)
	if len(jobs) == 0 {
		t.Fatal("no job selector found")
	}
	for _, m := range jobs {
		if m[1] != "gobfd" {
			t.Errorf("selects job %q; prometheus.yml scrapes job gobfd", m[1])
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
