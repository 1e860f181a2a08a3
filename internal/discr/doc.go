// Package discr allocates local discriminators (bfd.LocalDiscr, RFC 5880
// §6.3 and §6.8.1): non-zero, unique among the sessions that hold one, and
// unpredictable — a ChaCha8 stream seeded from crypto/rand, so an off-path
// attacker cannot guess the value a session will demultiplex on.
//
// An Allocator is safe for concurrent use. Allocation happens when a
// session is created, never on the packet path.
package discr
