package deployments_test

import (
	"fmt"
	"os"
	stdpath "path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dantte-lp/gobfd/internal/config"
)

const k8sDir = "deployments/kubernetes"

// k8sObjects are the documents of the kustomization's resources by kind.
func k8sObjects(t *testing.T) map[string]map[string]any {
	t.Helper()
	objs := map[string]map[string]any{}
	for _, r := range strs(readYAML(t, k8sDir+"/kustomization.yaml")[0], "resources") {
		for _, d := range readYAML(t, stdpath.Join(k8sDir, r)) {
			kind := str(d, "kind")
			if objs[kind] != nil {
				t.Fatalf("two %s objects", kind)
			}
			if ns := str(d, "metadata", "namespace"); kind != "Namespace" && ns != "gobfd" {
				t.Errorf("%s %s: namespace %q, want gobfd", kind, str(d, "metadata", "name"), ns)
			}
			objs[kind] = d
		}
	}
	return objs
}

// The fleet form of the guide: one gobfd per node in the host's network,
// only NET_RAW and NET_ADMIN, the configuration from a ConfigMap, probes on
// the gRPC health service, Prometheus scrape annotations.
func TestKubernetes(t *testing.T) {
	objs := k8sObjects(t)
	for _, kind := range []string{"Namespace", "ServiceAccount", "ConfigMap", "DaemonSet"} {
		if objs[kind] == nil {
			t.Fatalf("no %s in the kustomization", kind)
		}
	}
	ds := objs["DaemonSet"]
	pod := get(ds, "spec", "template", "spec")
	if get(pod, "hostNetwork") != true || str(pod, "dnsPolicy") != "ClusterFirstWithHostNet" {
		t.Error("hostNetwork: true and dnsPolicy: ClusterFirstWithHostNet")
	}
	if get(pod, "automountServiceAccountToken") != false {
		t.Error("the service account token is mounted (gobfd does not use the Kubernetes API)")
	}
	if psc := get(pod, "securityContext"); get(psc, "runAsNonRoot") != true || fmt.Sprint(get(psc, "runAsUser")) != imageUID {
		t.Errorf("pod securityContext %v: runAsNonRoot, runAsUser %s (the image's gobfd)", psc, imageUID)
	}
	cs := list(pod, "containers")
	if len(cs) != 1 {
		t.Fatalf("%d containers", len(cs))
	}
	c := cs[0]
	if img := str(c, "image"); !strings.HasPrefix(img, guideImage+":") {
		t.Errorf("image %s", img)
	}
	if args := strs(c, "args"); strings.Join(args, " ") != "-config "+guideConfigPath {
		t.Errorf("args %v", args)
	}
	sc := get(c, "securityContext")
	if !sameSet(strs(sc, "capabilities", "add"), guideCaps) || !sameSet(strs(sc, "capabilities", "drop"), []string{"ALL"}) {
		t.Errorf("capabilities %v, want drop ALL, add only %v", get(sc, "capabilities"), guideCaps)
	}
	if get(sc, "allowPrivilegeEscalation") == false {
		t.Error("allowPrivilegeEscalation: false sets no_new_privs, which voids gobfd's file capabilities (filecaps_test.go)")
	}
	if get(sc, "privileged") == true || get(sc, "readOnlyRootFilesystem") != true {
		t.Error("the container must not be privileged, and its root filesystem read-only")
	}
	env := map[string]string{}
	for _, e := range list(c, "env") {
		env[str(e, "name")] = str(e, "value")
	}
	if env["GOMEMLIMIT"] != guideGOMEMLIMIT || env["GOGC"] != "off" {
		t.Errorf("GOMEMLIMIT=%q GOGC=%q", env["GOMEMLIMIT"], env["GOGC"])
	}
	if lim := str(c, "resources", "limits", "memory"); !memAbove(lim, guideGOMEMLIMIT) {
		t.Errorf("memory limit %q is not above GOMEMLIMIT %s", lim, guideGOMEMLIMIT)
	}

	// The configuration from the ConfigMap, at the guide's path.
	mounts := map[string]string{}
	for _, m := range list(c, "volumeMounts") {
		mounts[str(m, "name")] = str(m, "mountPath")
	}
	volumes := map[string]any{}
	for _, v := range list(pod, "volumes") {
		volumes[str(v, "name")] = v
	}
	cm := objs["ConfigMap"]
	var cfgVol string
	for name, v := range volumes {
		if str(v, "configMap", "name") == str(cm, "metadata", "name") {
			cfgVol = name
		}
	}
	if cfgVol == "" || mounts[cfgVol] != stdpath.Dir(guideConfigPath) {
		t.Errorf("ConfigMap %s not mounted at %s: %v", str(cm, "metadata", "name"), stdpath.Dir(guideConfigPath), mounts)
	}
	yml := str(cm, "data", stdpath.Base(guideConfigPath))
	if yml == "" {
		t.Fatalf("ConfigMap has no %s", stdpath.Base(guideConfigPath))
	}
	// The token file comes from a Secret; parse with a stand-in file there.
	var tokenVol string
	for name, v := range volumes {
		if str(v, "secret", "secretName") != "" {
			tokenVol = name
		}
	}
	tokenPath := regexp.MustCompile(`(?m)^\s*token_file:\s*(\S+)`).FindStringSubmatch(yml)
	if tokenPath != nil {
		if tokenVol == "" || stdpath.Dir(tokenPath[1]) != mounts[tokenVol] {
			t.Errorf("grpc.token_file %s is not in the Secret's mount %s", tokenPath[1], mounts[tokenVol])
		}
		stand := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(stand, []byte("test-token\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		yml = strings.Replace(yml, tokenPath[1], stand, 1)
	}
	cfg, err := config.Parse([]byte(yml), noEnv)
	if err != nil {
		t.Fatalf("the ConfigMap's gobfd.yml: %v", err)
	}

	// Probes on grpc.health.v1 at the API port, which must be reachable on
	// the node's address (the kubelet probes the pod IP, the node's).
	for _, probe := range []string{"readinessProbe", "livenessProbe"} {
		if p := fmt.Sprint(get(c, probe, "grpc", "port")); p != guideAPIPort {
			t.Errorf("%s: grpc port %s, want %s", probe, p, guideAPIPort)
		}
	}
	if host, _, _ := strings.Cut(cfg.GRPC.Addr, ":"); port(cfg.GRPC.Addr) != guideAPIPort || (host != "" && host != "0.0.0.0") {
		t.Errorf("grpc.addr %q: the kubelet cannot reach it on the node's address", cfg.GRPC.Addr)
	}

	// Prometheus scrape annotations point at the metrics listener.
	ann := get(ds, "spec", "template", "metadata", "annotations")
	if str(ann, "prometheus.io/scrape") != "true" || str(ann, "prometheus.io/port") != port(cfg.Metrics.Addr) ||
		str(ann, "prometheus.io/path") != cfg.Metrics.Path || port(cfg.Metrics.Addr) != guideMetrics {
		t.Errorf("annotations %v, metrics %s%s", ann, cfg.Metrics.Addr, cfg.Metrics.Path)
	}
	if host, _, _ := strings.Cut(cfg.Metrics.Addr, ":"); host != "" && host != "0.0.0.0" {
		t.Errorf("metrics.addr %q is not reachable on the node's address", cfg.Metrics.Addr)
	}
}

// memAbove reports whether a Kubernetes quantity (320Mi) is above a Go
// GOMEMLIMIT (256MiB).
func memAbove(quantity, gomemlimit string) bool {
	units := map[string]int64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
	parse := func(s string) int64 {
		m := regexp.MustCompile(`^(\d+)([KMG]iB?)$`).FindStringSubmatch(s)
		if m == nil {
			return -1
		}
		var n int64
		fmt.Sscan(m[1], &n)
		return n * units[m[2]]
	}
	q, g := parse(quantity), parse(gomemlimit)
	return q > 0 && g > 0 && q > g
}
