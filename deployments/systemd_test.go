package deployments_test

import (
	"bufio"
	"slices"
	"strings"
	"testing"
)

// The unit of the deployment guide, directive by directive. The guide's
// text shows the project URL through a mirror (github.qkg1.top); the
// repository's module path is github.com/dantte-lp/gobfd.
var guideUnit = map[string][]string{
	"Unit": {
		"Description=GoBFD -- BFD Protocol Daemon",
		"Documentation=https://github.com/dantte-lp/gobfd",
		"After=network-online.target",
		"Wants=network-online.target",
	},
	"Service": {
		"Type=notify",
		"ExecStart=/usr/local/bin/gobfd -config /etc/gobfd/gobfd.yml",
		"ExecReload=/bin/kill -HUP $MAINPID",
		"Restart=on-failure",
		"RestartSec=5s",
		"WatchdogSec=30s",
		"User=gobfd",
		"Group=gobfd",
		"AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN",
		"CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN",
		"NoNewPrivileges=true",
		"ProtectSystem=strict",
		"ProtectHome=true",
		"ReadOnlyPaths=/etc/gobfd",
		"PrivateTmp=true",
		"ProtectKernelModules=true",
		"ProtectKernelTunables=true",
		"ProtectControlGroups=true",
		"RestrictRealtime=true",
		"RestrictSUIDSGID=true",
		"SystemCallArchitectures=native",
	},
	"Install": {
		"WantedBy=multi-user.target",
	},
}

// Directives the unit may have beyond the guide's, and why.
var unitExtras = map[string]string{
	"Service/StateDirectory=gobfd": "/var/lib/gobfd for the flight recorder's traces, writable under ProtectSystem=strict",
}

// deployments/systemd/gobfd.service is the guide's unit.
func TestSystemdUnitIsTheGuides(t *testing.T) {
	got := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(readFile(t, "deployments/systemd/gobfd.service")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			got[section] = append(got[section], line)
		}
	}
	for sec, want := range guideUnit {
		for _, d := range want {
			if !slices.Contains(got[sec], d) {
				t.Errorf("[%s] lacks %s (the guide's unit)", sec, d)
			}
		}
		for _, d := range got[sec] {
			if !slices.Contains(want, d) {
				if why, ok := unitExtras[sec+"/"+d]; ok {
					t.Logf("[%s] %s: beyond the guide: %s", sec, d, why)
				} else {
					t.Errorf("[%s] %s is not in the guide's unit (add it to unitExtras with the reason, and to docs/en/06-deployment.md)", sec, d)
				}
			}
		}
	}
	for sec := range got {
		if guideUnit[sec] == nil {
			t.Errorf("section [%s] is not in the guide's unit", sec)
		}
	}
}
