package main

import (
	"strings"
	"testing"
)

// The usage names what the binary will do (internal/healthcheck tests the
// rest of the stub).
func TestUsage(t *testing.T) {
	if !strings.Contains(usage, "ExaBGP's\nprocess API") || !strings.HasPrefix(usage, "usage: gobfd-exabgp-bridge ") {
		t.Fatalf("usage: %q", usage)
	}
}
