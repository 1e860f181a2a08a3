package flightrec

import (
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
)

// Trigger reports whether ev is a failure worth a trace: a session that
// was Up (or coming Up) went Down with a diagnostic (RFC 5880 §4.1) other
// than AdministrativelyDown, and not because the peer was taken down on
// purpose (the peer in AdminDown: its shutdown or a reload, which we see
// as diag 3 "Neighbor Signaled Session Down", RFC 5880 §6.8.6).
func Trigger(ev engine.Event) bool {
	if ev.New != packet.StateDown || (ev.Old != packet.StateUp && ev.Old != packet.StateInit) {
		return false
	}
	switch ev.LocalDiag {
	case packet.DiagNone, packet.DiagAdminDown:
		return false
	}
	return ev.RemoteState != packet.StateAdminDown
}
