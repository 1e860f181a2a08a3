// Package netns builds throw-away test networks of Linux network
// namespaces joined by veth pairs (see LAB.md): hosts are created with
// `ip netns add`, addressed only from 198.18.0.0/15 and 2001:db8::/32, and
// deleted when the test ends. It also runs a function inside a namespace,
// for creating sockets there. Test support; needs root.
package netns
