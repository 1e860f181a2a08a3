package config

import (
	"fmt"
	"strings"
	"testing"
)

func sessionsAt(n int, iv string) string {
	var b strings.Builder
	b.WriteString("sessions:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {peer: 198.19.%d.%d, local: 198.18.0.1, desired_min_tx: %s, required_min_rx: %s}\n", i/250, i%250+1, iv, iv)
	}
	return b.String()
}

// One shard for light configurations, one per CPU above LightPacketRate,
// and scheduling.shards wins.
func TestShards(t *testing.T) {
	for _, c := range []struct {
		yml  string
		want int
	}{
		{sessionsAt(100, "100ms"), 1}, // 2,000 packets/s
		{sessionsAt(1000, "1s"), 1},   // 2,000 packets/s
		{sessionsAt(100, "10ms"), 4},  // 20,000 packets/s
		{sessionsAt(1000, "50ms"), 4}, // 40,000 packets/s
		{"sessions: []\n", 1},         // API only: set scheduling.shards
		{"scheduling: {shards: 3}\n" + sessionsAt(10, "1s"), 3},
	} {
		cfg, err := Parse([]byte(c.yml), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Shards(4); got != c.want {
			t.Errorf("%.0f packets/s: %d shards, want %d", cfg.PacketRate(), got, c.want)
		}
	}
	_, err := Parse([]byte("scheduling: {shards: 65}\n"), func(string) (string, bool) { return "", false })
	if err == nil || !strings.Contains(err.Error(), "scheduling.shards") {
		t.Fatalf("65 shards: %v", err)
	}
}
