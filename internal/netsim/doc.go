// Package netsim is a deterministic discrete-event network simulator that
// drives real session.Session values (test support).
//
// A Sim has a virtual clock and one event queue ordered by (time, sequence
// number), so equal times resolve the same way on every run; all randomness
// comes from one PCG source seeded by the test. Endpoints are BFD systems:
// each wraps a session and performs its Outputs the way the engine does
// (build and send a Control packet, send an Echo packet, record a state
// change, sleep until NextDeadline). Links join two endpoints and can lose,
// delay, jitter, reorder, duplicate and partition traffic in each
// direction, and can be changed at any virtual time.
//
// Nothing here reads the wall clock or sleeps: a test runs minutes of
// virtual time in milliseconds. A Sim is used from one goroutine.
package netsim
