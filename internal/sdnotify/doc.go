// Package sdnotify speaks systemd's notify protocol (sd_notify(3)) without
// cgo: datagrams such as "READY=1" to the unix socket named by
// $NOTIFY_SOCKET, and the watchdog interval from $WATCHDOG_USEC. Without
// $NOTIFY_SOCKET every call is a no-op, so the daemon runs the same outside
// systemd. cmd/gobfd calls it from its main goroutine and one watchdog
// goroutine.
package sdnotify
