package deployments_test

import (
	"bufio"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dantte-lp/gobfd/internal/config"
)

// instruction is one Containerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, COPY, ...
	args string
	line int
}

// stage is a FROM and what follows it.
type stage struct {
	from, name string
	instrs     []instruction
}

// parseContainerfile reads a Containerfile line by line: comments and
// blank lines dropped, lines ending in a backslash joined with the next.
func parseContainerfile(t *testing.T, rel string) (args map[string]string, stages []stage) {
	t.Helper()
	args = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(readFile(t, rel)))
	var cur strings.Builder
	start, n := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		cmd, rest, _ := strings.Cut(cur.String(), " ")
		cur.Reset()
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.Join(strings.Fields(rest), " "), line: start}
		switch {
		case in.cmd == "FROM":
			f := strings.Fields(in.args)
			s := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
		case len(stages) == 0 && in.cmd == "ARG":
			k, v, _ := strings.Cut(in.args, "=")
			args[k] = v
		case len(stages) == 0:
			t.Fatalf("%s:%d: %s before the first FROM", rel, in.line, in.cmd)
		default:
			stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, in)
		}
	}
	if len(stages) == 0 {
		t.Fatalf("%s: no FROM", rel)
	}
	return args, stages
}

// expand replaces ${NAME} with the global ARG defaults.
func expand(s string, args map[string]string) string {
	return regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(s, func(m string) string {
		return args[m[2:len(m)-1]]
	})
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instrs {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// envOf collects ENV k=v pairs of a stage.
func (s stage) env() map[string]string {
	env := map[string]string{}
	for _, in := range s.all("ENV") {
		for _, kv := range strings.Fields(in.args) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = strings.Trim(v, `"`)
			}
		}
	}
	return env
}

// The release images: the guide's base images, the four binaries, user
// gobfd (not root), only CAP_NET_RAW and CAP_NET_ADMIN, GOMEMLIMIT and
// GOGC=off, the guide's ports, and no Go toolchain in the image.
func TestContainerfiles(t *testing.T) {
	goVersion := goDirective(t)
	for file, base := range map[string]string{
		"deployments/docker/Containerfile":             "docker.io/library/debian:trixie-slim",
		"deployments/docker/Containerfile.oraclelinux": "docker.io/library/oraclelinux:10-slim",
	} {
		t.Run(file[strings.LastIndexByte(file, '/')+1:], func(t *testing.T) {
			args, stages := parseContainerfile(t, file)
			final := stages[len(stages)-1]
			if final.from != base {
				t.Errorf("runtime stage FROM %s, want %s (the guide's base)", final.from, base)
			}

			// The build stage's Go is the Go of go.mod.
			if img := args["GO_IMAGE"]; !strings.HasPrefix(img, "docker.io/library/golang:"+goVersion+"-") {
				t.Errorf("GO_IMAGE %q: want docker.io/library/golang:%s-… (go.mod says go %s)", img, goVersion, goVersion)
			}
			// Binaries from source (podman build) or from GoReleaser's context.
			names := map[string]stage{}
			for _, s := range stages {
				names[s.name] = s
			}
			for _, mode := range []string{"source", "context"} {
				if _, ok := names["binaries-"+mode]; !ok {
					t.Errorf("no stage binaries-%s (BINARIES=%s)", mode, mode)
				}
			}
			if args["BINARIES"] != "source" || names["binaries"].from != "binaries-${BINARIES}" {
				t.Errorf("the binaries stage must be FROM binaries-${BINARIES} with BINARIES=source by default")
			}
			src := names["binaries-source"]
			if !strings.Contains(joinArgs(src.all("RUN")), "make build") {
				t.Error("the source stage does not run make build (static, with version ldflags)")
			}

			// No toolchain in the image: the runtime stage takes files from
			// the binaries stage only, and installs no compiler.
			if strings.Contains(final.from, "golang") {
				t.Error("runtime stage is a Go image")
			}
			run := joinArgs(final.all("RUN"))
			for _, bad := range []string{" golang", " gcc", "go build", "go install", "/usr/local/go"} {
				if strings.Contains(run, bad) {
					t.Errorf("runtime stage RUN contains %q", bad)
				}
			}
			for _, in := range append(final.all("COPY"), final.all("ADD")...) {
				t.Errorf("line %d: %s in the runtime stage (take files from the binaries stage with RUN --mount)", in.line, in.cmd)
			}
			if !strings.Contains(run, "--mount=type=bind,from=binaries,") {
				t.Error("runtime stage does not take the binaries from the binaries stage")
			}
			for _, b := range guideBinaries {
				if !strings.Contains(run, "/tmp/gobfd/"+b+" ") {
					t.Errorf("runtime stage does not install %s in /usr/local/bin", b)
				}
			}
			if !strings.Contains(run, "/usr/local/bin/;") {
				t.Error("binaries are not installed into /usr/local/bin")
			}
			if !strings.Contains(run, "/tmp/gobfd/gobfd.yml "+guideConfigPath) {
				t.Errorf("no configuration at %s", guideConfigPath)
			}

			// User gobfd (10001), not root.
			users := final.all("USER")
			if len(users) != 1 || users[0].args != imageUID+":"+imageUID {
				t.Errorf("USER %v, want one USER %s:%s (numeric, so runAsNonRoot can check it)", users, imageUID, imageUID)
			}
			if !strings.Contains(run, "--uid "+imageUID) || !strings.Contains(run, "--gid "+imageUID) {
				t.Errorf("the gobfd user and group are not created with id %s", imageUID)
			}

			// Only the two capabilities, as file capabilities of gobfd.
			caps := regexp.MustCompile(`setcap (\S+) (\S+)`).FindAllStringSubmatch(run, -1)
			if len(caps) != 1 || caps[0][1] != "cap_net_raw,cap_net_admin=ep" || caps[0][2] != "/usr/local/bin/gobfd;" {
				t.Errorf("setcap %v: want exactly cap_net_raw,cap_net_admin=ep on /usr/local/bin/gobfd", caps)
			}

			env := final.env()
			if env["GOMEMLIMIT"] != guideGOMEMLIMIT || env["GOGC"] != "off" {
				t.Errorf("ENV GOMEMLIMIT=%q GOGC=%q, want %s and off", env["GOMEMLIMIT"], env["GOGC"], guideGOMEMLIMIT)
			}
			var exposed []string
			for _, in := range final.all("EXPOSE") {
				exposed = append(exposed, strings.Fields(in.args)...)
			}
			if !sameSet(exposed, []string{"3784/udp", "4784/udp", guideAPIPort + "/tcp", guideMetrics + "/tcp"}) {
				t.Errorf("EXPOSE %v", exposed)
			}
			ep := final.all("ENTRYPOINT")
			cmd := final.all("CMD")
			if len(ep) != 1 || ep[0].args != `["/usr/local/bin/gobfd"]` || len(cmd) != 1 || cmd[0].args != `["-config", "`+guideConfigPath+`"]` {
				t.Errorf("ENTRYPOINT %v CMD %v", ep, cmd)
			}

			// Files the build stages copy from the context exist (the
			// source stage copies the repository; the context stage the
			// GoReleaser artifacts plus the configuration).
			for _, s := range stages {
				for _, in := range s.all("COPY") {
					f := strings.Fields(expand(in.args, args))
					for _, src := range f[:len(f)-1] {
						if strings.HasPrefix(src, "--") || src == "." || strings.HasPrefix(src, "/") || strings.HasPrefix(src, "$") {
							continue
						}
						mustExist(t, file+" COPY", src)
					}
				}
			}
		})
	}
}

// The configuration the images ship is valid and runs no session.
func TestImageConfig(t *testing.T) {
	cfg, err := config.Parse([]byte(readFile(t, "deployments/docker/gobfd.yml")), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sessions) != 0 || port(cfg.GRPC.Addr) != guideAPIPort || port(cfg.Metrics.Addr) != guideMetrics {
		t.Errorf("image config: %d sessions, grpc %s, metrics %s", len(cfg.Sessions), cfg.GRPC.Addr, cfg.Metrics.Addr)
	}
}

// The development image has the toolchain of go.mod and the test tools.
func TestDevContainerfile(t *testing.T) {
	_, stages := parseContainerfile(t, "deployments/docker/Containerfile.dev")
	if want := "docker.io/library/golang:" + goDirective(t) + "-trixie"; stages[0].from != want {
		t.Errorf("FROM %s, want %s", stages[0].from, want)
	}
	run := joinArgs(stages[0].all("RUN"))
	for _, pkg := range []string{"make", "iproute2", "tshark", "frr", "bird2"} {
		if !slices.Contains(strings.Fields(run), pkg) {
			t.Errorf("the dev image does not install %s (make test needs it)", pkg)
		}
	}
}

func joinArgs(ins []instruction) string {
	var b strings.Builder
	for _, in := range ins {
		b.WriteString(in.args + " ")
	}
	return b.String()
}

// goDirective is go.mod's Go version as major.minor ("1.26").
func goDirective(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(readFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	return m[1]
}

// noEnv keeps GOBFD_* variables of the test's environment out of parsing.
func noEnv(string) (string, bool) { return "", false }
