// Package e2e runs real gobfd processes (and, in interop tests, FRR bfdd
// and BIRD) in network namespaces built per test, with addresses from
// 198.18.0.0/15 and 2001:db8::/32 only, and checks what an operator would:
// sessions come Up, failures are detected within the detection time,
// shutdowns are seen as AdminDown, reloads change only what changed. The
// tests need root and skip otherwise; CI runs them as root.
package e2e
