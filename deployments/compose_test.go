package deployments_test

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"os"
	stdpath "path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// composeDir is where compose resolves relative paths.
const composeDir = "deployments/compose"

// interpolate applies compose's ${VAR:-default} with VAR unset.
func interpolate(s string) string {
	return regexp.MustCompile(`\$\{\w+:-([^}]*)\}`).ReplaceAllString(s, "$1")
}

// composePath resolves a path of a compose file (relative to its
// directory) to a repository path ("." is the repository).
func composePath(p string) string { return stdpath.Join(composeDir, interpolate(p)) }

// envMap is a service's environment, as a map or a list of K=V.
func envMap(svc any) map[string]string {
	env := map[string]string{}
	switch e := get(svc, "environment").(type) {
	case map[string]any:
		for k, v := range e {
			env[k] = fmt.Sprint(v)
		}
	case []any:
		for _, kv := range e {
			k, v, _ := strings.Cut(fmt.Sprint(kv), "=")
			env[k] = v
		}
	}
	return env
}

// binds are a service's bind mounts: repository source -> container target.
func binds(t *testing.T, file string, svc any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range strs(svc, "volumes") {
		f := strings.Split(interpolate(v), ":")
		if len(f) < 2 || !strings.ContainsAny(f[0], "./$") {
			continue // a named volume
		}
		src := composePath(f[0])
		mustExist(t, file+" volume", src)
		out[src] = f[1]
	}
	return out
}

// extraHosts maps the names of a service's extra_hosts to addresses.
func extraHosts(svc any) map[string]string {
	out := map[string]string{}
	for _, h := range strs(svc, "extra_hosts") {
		if name, addr, ok := strings.Cut(h, ":"); ok {
			out[name] = addr
		}
	}
	return out
}

// The production stack of the guide: gobfd (API 50051, metrics 9100) on the
// host's network with only NET_RAW and NET_ADMIN, Prometheus on 9090 and
// Grafana on 3000, their configuration files mounted from the repository,
// and the names in those files reaching the right ports.
func TestCompose(t *testing.T) {
	const file = composeDir + "/compose.yml"
	doc := readYAML(t, file)[0]
	svcs, _ := doc["services"].(map[string]any)
	for _, name := range []string{"gobfd", "prometheus", "grafana"} {
		if svcs[name] == nil {
			t.Fatalf("no service %s", name)
		}
		if nm := str(svcs[name], "network_mode"); nm != "host" {
			t.Errorf("%s: network_mode %q, want host", name, nm)
		}
		if get(svcs[name], "ports") != nil {
			t.Errorf("%s: ports with network_mode host", name)
		}
	}
	if str(doc, "x-podman", "in_pod") != "" || get(doc, "x-podman", "in_pod") != false {
		t.Error("x-podman.in_pod must be false (extra_hosts on podman-compose)")
	}

	g := svcs["gobfd"]
	if str(g, "image") != guideImage+":latest" {
		t.Errorf("gobfd image %q", str(g, "image"))
	}
	if df := stdpath.Join(composePath(str(g, "build", "context")), str(g, "build", "dockerfile")); df != "deployments/docker/Containerfile" {
		t.Errorf("gobfd build: %s", df)
	}
	if !sameSet(strs(g, "cap_add"), guideCaps) || !sameSet(strs(g, "cap_drop"), []string{"ALL"}) {
		t.Errorf("gobfd cap_add %v cap_drop %v, want only %v", strs(g, "cap_add"), strs(g, "cap_drop"), guideCaps)
	}
	for _, o := range strs(g, "security_opt") {
		if strings.Contains(o, "no-new-privileges") {
			t.Error("no-new-privileges voids gobfd's file capabilities (filecaps_test.go)")
		}
	}
	if get(g, "privileged") == true || str(g, "user") != "" {
		t.Error("gobfd must run as the image's user gobfd, unprivileged")
	}
	env := envMap(g)
	if env["GOMEMLIMIT"] != guideGOMEMLIMIT || env["GOGC"] != "off" {
		t.Errorf("gobfd GOMEMLIMIT=%q GOGC=%q", env["GOMEMLIMIT"], env["GOGC"])
	}
	api, metrics := env["GOBFD_GRPC_ADDR"], env["GOBFD_METRICS_ADDR"]
	if port(api) != guideAPIPort || port(metrics) != guideMetrics {
		t.Errorf("gobfd API %q metrics %q, want ports %s and %s", api, metrics, guideAPIPort, guideMetrics)
	}
	if gb := binds(t, file, g); !slices.Contains(slices.Collect(maps.Values(gb)), guideConfigPath) {
		t.Errorf("gobfd: no configuration mounted at %s: %v", guideConfigPath, gb)
	}

	// Prometheus: listens on 9090, scrapes gobfd's metrics port.
	p := svcs["prometheus"]
	listen := flagValue(strs(p, "command"), "--web.listen-address")
	if port(listen) != "9090" {
		t.Errorf("prometheus --web.listen-address %q", listen)
	}
	pb := binds(t, file, p)
	promFile := composeDir + "/configs/prometheus/prometheus.yml"
	if pb[promFile] != "/etc/prometheus/prometheus.yml" {
		t.Errorf("prometheus: %s not mounted at /etc/prometheus/prometheus.yml: %v", promFile, pb)
	}
	if pb[composeDir+"/configs/prometheus/rules"] != "/etc/prometheus/rules" {
		t.Errorf("prometheus: rules not mounted at /etc/prometheus/rules: %v", pb)
	}
	if cfg := flagValue(strs(p, "command"), "--config.file"); cfg != "/etc/prometheus/prometheus.yml" {
		t.Errorf("prometheus --config.file %q", cfg)
	}
	scraped := false
	for _, sc := range list(readYAML(t, promFile)[0], "scrape_configs") {
		for _, stc := range list(sc, "static_configs") {
			for _, target := range strs(stc, "targets") {
				host, _, _ := strings.Cut(target, ":")
				if addr := extraHosts(p)[host]; addr != "" && port(target) == port(metrics) &&
					strings.HasPrefix(metrics, addr+":") && cmp.Or(str(sc, "metrics_path"), "/metrics") == "/metrics" {
					scraped = true
				}
			}
		}
	}
	if !scraped {
		t.Errorf("no scrape target of %s reaches gobfd's metrics at %s (extra_hosts %v)", promFile, metrics, extraHosts(p))
	}

	// Grafana: listens on 3000, its data source reaches Prometheus, its
	// dashboard provider reads the mounted dashboards.
	gr := svcs["grafana"]
	if ge := envMap(gr); ge["GF_SERVER_HTTP_PORT"] != "3000" || ge["GF_SECURITY_ADMIN_USER"] != "admin" {
		t.Errorf("grafana env %v", ge)
	}
	gb := binds(t, file, gr)
	prov := composeDir + "/configs/grafana/provisioning"
	if gb[prov] != "/etc/grafana/provisioning" {
		t.Errorf("grafana: provisioning not mounted at /etc/grafana/provisioning: %v", gb)
	}
	reached := false
	for _, ds := range list(readYAML(t, prov+"/datasources/prometheus.yml")[0], "datasources") {
		u, err := url.Parse(str(ds, "url"))
		if err == nil && u.Port() == port(listen) && extraHosts(gr)[u.Hostname()] != "" &&
			strings.HasPrefix(listen, extraHosts(gr)[u.Hostname()]+":") {
			reached = true
		}
	}
	if !reached {
		t.Errorf("the Prometheus data source does not reach %s (extra_hosts %v)", listen, extraHosts(gr))
	}
	entries, err := os.ReadDir(repoPath(prov + "/dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for _, pr := range list(readYAML(t, prov+"/dashboards/"+e.Name())[0], "providers") {
			dir := str(pr, "options", "path")
			if gb[composeDir+"/configs/grafana/dashboards"] != dir {
				t.Errorf("dashboard provider reads %s; the dashboards are mounted at %v", dir, gb)
			}
		}
	}
	mustExist(t, "the guide's dashboard", composeDir+"/configs/grafana/dashboards/bfd.json")
}

// The development stack of the guide: a dev container with the toolchain
// and the tree mounted, and a gobfd that reloads itself.
func TestComposeDev(t *testing.T) {
	const file = composeDir + "/compose.dev.yml"
	doc := readYAML(t, file)[0]
	dev := get(doc, "services", "dev")
	if dev == nil {
		t.Fatal("no service dev (podman-compose ... exec dev bash)")
	}
	df := stdpath.Join(composePath(str(dev, "build", "context")), str(dev, "build", "dockerfile"))
	if df != "deployments/docker/Containerfile.dev" {
		t.Errorf("dev build: %s", df)
	}
	mustExist(t, "dev Containerfile", df)
	if b := binds(t, file, dev); b["."] != "/src" {
		t.Errorf("dev: the repository is not mounted at /src: %v", b)
	}
	if str(dev, "working_dir") != "/src" || get(dev, "privileged") != true {
		t.Error("dev: working_dir /src and privileged (make test creates namespaces)")
	}
	g := get(doc, "services", "gobfd")
	cmd := strs(g, "command")
	if len(cmd) != 2 || cmd[0] != "bash" {
		t.Fatalf("gobfd command %v", cmd)
	}
	mustExist(t, "hot reload script", cmd[1])
	if !sameSet(strs(g, "cap_add"), guideCaps) || str(g, "network_mode") != "host" {
		t.Errorf("dev gobfd: cap_add %v network_mode %s", strs(g, "cap_add"), str(g, "network_mode"))
	}
	if env := envMap(g); port(env["GOBFD_GRPC_ADDR"]) != guideAPIPort || port(env["GOBFD_METRICS_ADDR"]) != guideMetrics {
		t.Errorf("dev gobfd env %v", env)
	}
}

func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}
