package engine

import (
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

// RFC 5880 §6.8.4: a session goes Down when no packet has been received
// for the Detection Time. While packets are still queued unread (heard
// before the deadline), the shard must not declare it: the packet that
// resets the timer may be among them. Once everything up to the deadline
// is read and nothing came, it must.
func TestDetectionWaitsForQueuedPackets(t *testing.T) {
	sh, _ := upShard(t)
	e := sh.byDiscr[1]
	d := e.s.DetectDue()
	if d == session.Never {
		t.Fatal("detection timer not running")
	}
	late := d + session.Time(5*time.Millisecond)
	sh.fireTimers(late, d-session.Time(time.Millisecond))
	if e.s.State() != packet.StateUp {
		t.Fatalf("declared Down with packets received before the deadline still unread: %v", e.s.State())
	}
	sh.fireTimers(late, d)
	if e.s.State() != packet.StateDown {
		t.Fatalf("every packet up to the deadline read, none heard: state %v, want Down", e.s.State())
	}
}

// A session whose packet was queued is kept Up once the backlog is read.
func TestQueuedPacketResetsDetection(t *testing.T) {
	sh, m := upShard(t)
	e := sh.byDiscr[1]
	d := e.s.DetectDue()
	late := d + session.Time(5*time.Millisecond)
	sh.fireTimers(late, d-session.Time(time.Millisecond)) // backlog: nothing fires
	sh.dispatch(d-session.Time(time.Millisecond/2), &m)   // the queued packet, read next
	sh.fireTimers(late, session.Never)
	if e.s.State() != packet.StateUp {
		t.Fatalf("state %v after the queued packet was read, want Up", e.s.State())
	}
}
