// Package netio moves BFD packets between the engine and the network in
// batches: Message is one datagram with its addressing metadata, Sender
// transmits a slice of them in as few system calls as possible, and
// receivers hand slices to a Handler.
//
// The Linux implementation (socket_linux.go and friends) receives on UDP
// 3784 (RFC 5881 single-hop) and 4784 (RFC 5883 multihop) with recvmmsg and
// sends through raw sockets with sendmmsg, so that one system call carries
// packets of many sessions, each with its own source port, TTL and DSCP.
// Mem is an in-memory implementation of the same interfaces for tests.
package netio
