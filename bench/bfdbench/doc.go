// Command bfdbench is gobfd's system-level benchmark harness
// (docs/en/12-benchmarks.md). For an implementation (gobfd, frr, bird), a
// session count N, an interval and a multiplier it builds two network
// namespaces joined by one veth with enough addresses (LAB.md), runs one
// daemon per namespace with N single-hop sessions, waits until all are Up,
// holds, and reports: time to all Up, session ends that left Up during the
// hold (counted on the wire with the same BPF filter for every
// implementation), CPU of each daemon over the hold (from /proc), RSS,
// and packets per second. It needs root and uses only 198.18.0.0/15.
package main
