package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/dantte-lp/gobfd/internal/netns"
)

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// addressPairs puts k addresses on each side's veth of a netns.Pair:
// prefix.1 … prefix.k on a, prefix.101 … on b (mask: "/16", "/24").
func addressPairs(t *testing.T, a, b, prefix, mask string, k int) (addrA, addrB []string) {
	t.Helper()
	for i := range k {
		addrA = append(addrA, fmt.Sprintf("%s.%d", prefix, i+1))
		addrB = append(addrB, fmt.Sprintf("%s.%d", prefix, i+101))
		netns.IP(t, "-n", a, "addr", "add", addrA[i]+mask, "dev", "v"+a)
		netns.IP(t, "-n", b, "addr", "add", addrB[i]+mask, "dev", "v"+b)
	}
	return addrA, addrB
}
