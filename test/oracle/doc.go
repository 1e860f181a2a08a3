// Package oracle cross-checks gobfd's wire format against an independent
// implementation: packets encoded by internal/packet are written to a pcap
// and decoded by Wireshark's tshark, which must see the same field values
// and nothing malformed. The pcap writer is reusable by end-to-end tests.
package oracle
