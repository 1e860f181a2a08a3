package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// claimInstance makes sure one gobfd runs per network namespace. The
// receive sockets share their ports through SO_REUSEPORT (one per shard),
// so a second daemon in the same namespace would silently join them,
// replace the steering program and take part of the packets; instead it
// stops here with a clear error. The claim is an abstract Unix socket:
// abstract names are per network namespace, and the kernel releases the
// name when the process ends, however it ends.
func claimInstance() (io.Closer, error) {
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "@gobfd", Net: "unixgram"})
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("another gobfd is running in this network namespace (abstract socket @gobfd is taken)")
	}
	if err != nil {
		return nil, fmt.Errorf("claiming the network namespace: %w", err)
	}
	return c, nil
}
