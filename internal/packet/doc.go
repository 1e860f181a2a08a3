// Package packet is the BFD Control packet wire format of RFC 5880 §4.
//
// Decode parses a received UDP payload and performs the stateless checks
// of the reception procedure (§6.8.6 steps 1–7) and of the authentication
// section formats (§4.2–§4.4), returning a DropReason. Marshal encodes a
// packet, computing Length, Auth Len and, for the keyed types, the digest.
// VerifyAuth checks a received password or digest against a key.
//
// The package knows nothing about sessions, sockets or time. Its functions
// are pure, safe for concurrent use and allocate nothing, so the engine
// calls them on the packet path of every shard goroutine.
package packet
