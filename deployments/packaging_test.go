package deployments_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"
)

// content is one nfpm contents entry, comparable between nfpm.yaml and
// .goreleaser.yml.
type content struct {
	src, dst, typ, packager, owner, group, mode string
}

func contents(v any) []content {
	var out []content
	for _, e := range list(v, "contents") {
		out = append(out, content{src: str(e, "src"), dst: str(e, "dst"), typ: str(e, "type"),
			packager: str(e, "packager"), owner: str(e, "file_info", "owner"), group: str(e, "file_info", "group"),
			mode: fmt.Sprintf("%o", get(e, "file_info", "mode"))})
	}
	return out
}

// `make packages` (nfpm.yaml) and a release (.goreleaser.yml) build the
// same package: same files, modes, owners, scripts, dependencies, metadata.
func TestPackagesAgree(t *testing.T) {
	nf := readYAML(t, "deployments/nfpm/nfpm.yaml")[0]
	gr := readYAML(t, ".goreleaser.yml")[0]
	nfpms := list(gr, "nfpms")
	if len(nfpms) != 1 {
		t.Fatalf("%d nfpms in .goreleaser.yml", len(nfpms))
	}
	gp := nfpms[0]

	// The binaries: nfpm takes the guide's four from bin/ by name (make
	// build), GoReleaser the four builds; both into the guide's
	// /usr/local/bin.
	var nfFiles []content
	var bins []string
	for _, c := range contents(nf) {
		if b, ok := strings.CutPrefix(c.src, "./bin/"); ok {
			if c.dst != "/usr/local/bin/"+b || c.mode != "755" || str(gp, "bindir") != "/usr/local/bin" {
				t.Errorf("binary %s: nfpm %s mode %s, goreleaser bindir %s", b, c.dst, c.mode, str(gp, "bindir"))
			}
			bins = append(bins, b)
			continue
		}
		nfFiles = append(nfFiles, c)
	}
	if !sameSet(bins, guideBinaries) {
		t.Errorf("nfpm.yaml packages the binaries %v, the guide names %v", bins, guideBinaries)
	}
	if grFiles := contents(gp); !slices.Equal(nfFiles, grFiles) {
		t.Errorf("contents differ:\nnfpm.yaml       %v\n.goreleaser.yml %v", nfFiles, grFiles)
	}
	for _, c := range nfFiles {
		if c.src != "" {
			mustExist(t, "package content", strings.TrimPrefix(c.src, "./"))
		}
	}
	if !sameSet(strs(gp, "ids"), guideBinaries) {
		t.Errorf("nfpms ids %v, want the four binaries", strs(gp, "ids"))
	}
	if !sameSet(strs(gp, "formats"), []string{"deb", "rpm"}) {
		t.Errorf("formats %v", strs(gp, "formats"))
	}

	for _, k := range []string{"maintainer", "description", "license", "homepage", "section", "priority", "vendor", "release"} {
		if str(nf, k) != str(gp, k) {
			t.Errorf("%s: nfpm.yaml %q, .goreleaser.yml %q", k, str(nf, k), str(gp, k))
		}
	}
	if str(nf, "name") != str(gp, "package_name") {
		t.Errorf("package name %q vs %q", str(nf, "name"), str(gp, "package_name"))
	}
	scripts := func(v any) string { return fmt.Sprint(get(v, "scripts")) }
	if scripts(nf) != scripts(gp) {
		t.Errorf("scripts: %s vs %s", scripts(nf), scripts(gp))
	}
	for _, f := range []string{"deb", "rpm"} {
		o, g := get(nf, "overrides", f), get(gp, "overrides", f)
		if scripts(o) != scripts(g) || !sameSet(strs(o, "depends"), strs(g, "dependencies")) {
			t.Errorf("overrides.%s: %v vs %v", f, o, g)
		}
		for _, s := range []string{"postinstall", "preremove", "postremove"} {
			checkScript(t, str(o, "scripts", s))
		}
	}
	checkScript(t, str(nf, "scripts", "preinstall"))
}

// checkScript: a maintainer script exists, is executable and POSIX sh.
func checkScript(t *testing.T, rel string) {
	t.Helper()
	rel = strings.TrimPrefix(rel, "./")
	fi, err := os.Stat(repoPath(rel))
	if err != nil {
		t.Errorf("script %s: %v", rel, err)
		return
	}
	if fi.Mode()&0o111 == 0 || !strings.HasPrefix(readFile(t, rel), "#!/bin/sh\n") {
		t.Errorf("script %s: not an executable #!/bin/sh script", rel)
	}
}

// The release builds the four binaries with the ldflags of `make build`,
// archives them as tar.gz for linux amd64 and arm64, and tags the images
// as the guide's table says.
func TestGoReleaser(t *testing.T) {
	gr := readYAML(t, ".goreleaser.yml")[0]
	if fmt.Sprint(gr["version"]) != "2" {
		t.Errorf("version %v, want 2 (GoReleaser v2)", gr["version"])
	}
	module := regexp.MustCompile(`(?m)^module (\S+)`).FindStringSubmatch(readFile(t, "go.mod"))[1]
	var ids []string
	for _, b := range list(gr, "builds") {
		id := str(b, "id")
		ids = append(ids, id)
		if str(b, "main") != "./cmd/"+id || str(b, "binary") != id {
			t.Errorf("build %s: main %s binary %s", id, str(b, "main"), str(b, "binary"))
		}
		if _, err := os.Stat(repoPath("cmd/" + id)); err != nil {
			t.Logf("build %s: cmd/%s is not in the tree yet", id, id)
		}
		if !sameSet(strs(b, "goarch"), []string{"amd64", "arm64"}) || !sameSet(strs(b, "goos"), []string{"linux"}) ||
			!slices.Contains(strs(b, "env"), "CGO_ENABLED=0") {
			t.Errorf("build %s: %v %v %v", id, strs(b, "goos"), strs(b, "goarch"), strs(b, "env"))
		}
		ld := strings.Join(strs(b, "ldflags"), " ")
		for _, v := range []string{"Version", "GitCommit", "BuildDate"} {
			if !strings.Contains(ld, "-X "+module+"/internal/version."+v+"=") {
				t.Errorf("build %s: no -X %s/internal/version.%s", id, module, v)
			}
		}
		if !strings.Contains(ld, "-s -w") {
			t.Errorf("build %s: ldflags without -s -w", id)
		}
	}
	if !sameSet(ids, guideBinaries) {
		t.Errorf("builds %v, want %v", ids, guideBinaries)
	}
	mk := readFile(t, "Makefile")
	for _, v := range []string{"Version", "GitCommit", "BuildDate"} {
		if !strings.Contains(mk, "-X $(MODULE)/internal/version."+v+"=") {
			t.Errorf("Makefile: no -X $(MODULE)/internal/version.%s", v)
		}
	}

	arch := list(gr, "archives")
	if len(arch) != 1 || !sameSet(strs(arch[0], "formats"), []string{"tar.gz"}) || !sameSet(strs(arch[0], "ids"), guideBinaries) {
		t.Errorf("archives %v", arch)
	}
	for _, f := range list(arch[0], "files") {
		if s, ok := f.(string); ok {
			mustExist(t, "archive file", s)
		}
	}

	// The image tags of the guide for release 1.2.3 (and a prerelease,
	// which must not move latest and the base-name tags).
	want := map[bool][]string{
		false: {"1.2.3", "latest", "1.2.3-debian-trixie", "debian-trixie", "1.2.3-oraclelinux10", "oraclelinux10"},
		true:  {"1.3.0-rc.1", "1.3.0-rc.1-debian-trixie", "1.3.0-rc.1-oraclelinux10"},
	}
	bases := map[string]string{}
	for pre, tags := range want {
		ver := map[bool]string{false: "1.2.3", true: "1.3.0-rc.1"}[pre]
		var got []string
		for _, d := range list(gr, "dockers_v2") {
			if !sameSet(strs(d, "images"), []string{guideImage}) || !sameSet(strs(d, "platforms"), []string{"linux/amd64", "linux/arm64"}) {
				t.Errorf("dockers_v2 %s: images %v platforms %v", str(d, "id"), strs(d, "images"), strs(d, "platforms"))
			}
			if !sameSet(strs(d, "ids"), guideBinaries) || str(d, "build_args", "BINARIES") != "context" {
				t.Errorf("dockers_v2 %s: ids %v, build_args %v", str(d, "id"), strs(d, "ids"), get(d, "build_args"))
			}
			mustExist(t, "dockerfile", str(d, "dockerfile"))
			for _, f := range strs(d, "extra_files") {
				mustExist(t, "extra file", f)
			}
			for _, tag := range strs(d, "tags") {
				if s := render(t, tag, ver, pre); s != "" {
					got = append(got, s)
					bases[s] = str(d, "dockerfile")
				}
			}
		}
		if !sameSet(got, tags) {
			t.Errorf("image tags for %s: %v, want %v", ver, got, tags)
		}
	}
	for tag, df := range bases {
		if strings.Contains(tag, "oraclelinux") != strings.HasSuffix(df, ".oraclelinux") {
			t.Errorf("tag %s is built from %s", tag, df)
		}
	}
}

// render applies a GoReleaser tag template with .Version and .Prerelease.
func render(t *testing.T, tmpl, version string, pre bool) string {
	t.Helper()
	var prerelease string
	if pre {
		prerelease = version[strings.IndexByte(version, '-')+1:]
	}
	tp, err := template.New("tag").Parse(tmpl)
	if err != nil {
		t.Fatalf("tag %q: %v", tmpl, err)
	}
	var b strings.Builder
	if err := tp.Execute(&b, map[string]string{"Version": version, "Prerelease": prerelease}); err != nil {
		t.Fatalf("tag %q: %v", tmpl, err)
	}
	return b.String()
}
