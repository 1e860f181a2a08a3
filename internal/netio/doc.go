// Package netio moves BFD packets between the engine and the network in
// batches: Message is one datagram with its addressing metadata, Sender
// transmits a slice of them in as few system calls as possible, and
// receivers hand slices to a Handler.
//
// The Linux implementation (rxsock_linux.go, send_linux.go and friends)
// receives on UDP 3784 (RFC 5881 single-hop) and 4784 (RFC 5883 multihop)
// with one recvmsg per datagram, read by the shard that owns the socket
// only when SIOCINQ or its poll says one is queued (recvmmsg would need
// package unsafe or an allocation per datagram for the source address;
// docs/en/12-benchmarks.md), and sends through raw sockets with sendmmsg,
// so that one system call carries packets of many sessions, each with its
// own source port, TTL and DSCP.
// Mem is an in-memory implementation of the same interfaces for tests.
package netio
