// Package engine owns every BFD session of the daemon and runs them.
//
// Sessions are spread over a few shards (by default one per CPU). A shard
// is one goroutine that owns its sessions outright: it feeds them received
// packets, runs their timers from a single deadline heap, sleeps in one
// ppoll(2) on its sockets and an eventfd (wait_linux.go), and sends what
// they produce in batches. No session has a
// goroutine or a timer of its own, and nothing on the packet path takes a
// lock.
//
// Demultiplexing follows RFC 5880 §6.8.6: a packet with a non-zero Your
// Discriminator goes to the shard encoded in the discriminator and the
// session that holds it; a packet with Your Discriminator zero goes to the
// shard of its (peer, type) hash and the session with that peer, local
// address and interface.
//
// Readers (the API, metrics) never touch a session: they ask the owning
// shard for a copied Snapshot, or read per-session atomic counters. Every
// state change is published as an Event on a fan-out stream whose
// subscribers each have a bounded queue; a slow subscriber loses events and
// is told how many, the shard never waits.
//
// A Detection Time counts packets received (RFC 5880 §6.8.4), so the time
// the daemon itself did not run must not count as silence: packets queued
// while a shard had no CPU are read before any timer fires
// (shard.fireTimers), and a deadline that passed while the whole host was
// stopped — nothing queued, since nothing ran — runs again from the gap's
// end, for no longer than the gap lasted (stall.go).
package engine
