package engine

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

// backlogged returns upShard's shard and session after one round of
// timers run 5 ms past the session's Detection Time deadline d while
// packets received from 1 ms before d on were still queued unread; m is
// the peer's packet.
func backlogged(t *testing.T) (sh *shard, e *entry, m netio.Message, d, late session.Time) {
	sh, m = upShard(t)
	e = sh.byDiscr[1]
	d = e.s.DetectDue()
	if d == session.Never {
		t.Fatal("detection timer not running")
	}
	late = d + session.Time(5*time.Millisecond)
	sh.fireTimers(late, d-session.Time(time.Millisecond))
	return sh, e, m, d, late
}

// RFC 5880 §6.8.4: a session goes Down when no packet has been received
// for the Detection Time. While packets are still queued unread (heard
// before the deadline), the shard must not declare it: the packet that
// resets the timer may be among them. Once everything up to the deadline
// is read and nothing came, it must.
func TestDetectionWaitsForQueuedPackets(t *testing.T) {
	sh, e, _, d, late := backlogged(t)
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
	sh, e, m, d, late := backlogged(t)
	sh.dispatch(d-session.Time(time.Millisecond/2), &m) // the queued packet, read next
	sh.fireTimers(late, session.Never)
	if e.s.State() != packet.StateUp {
		t.Fatalf("state %v after the queued packet was read, want Up", e.s.State())
	}
}

// A session set aside for its Detection Time does not hold back the
// others: a session with a periodic packet due is served in the same
// round, and the one set aside is back in the heap afterwards.
func TestPostponedDetectionDoesNotBlockOthers(t *testing.T) {
	sh, _ := upShard(t)
	e := sh.byDiscr[1]
	d := e.s.DetectDue()
	s2, err := session.New(session.Config{Params: params(10*time.Millisecond, 3), LocalDiscr: 7, Rand: rand.NewPCG(5, 6)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	other := &entry{key: Key{Peer: netip.MustParseAddr("198.18.0.9"), Local: netip.MustParseAddr("198.18.0.1")}, s: s2, srcPort: 49160, index: -1}
	sh.insert(other)
	dl := e.deadline
	// Its first packet falls due behind the postponed session, in heap order.
	other.s.DelayFirstTx(dl + session.Time(2*time.Millisecond))
	sh.heap.set(other, other.nextDeadline())
	if other.deadline <= dl {
		t.Fatalf("setup: other session due at %v, not behind %v", other.deadline, dl)
	}
	before := other.counters.PacketsOut.Load()
	late := max(d, other.deadline) + session.Time(5*time.Millisecond)
	sh.fireTimers(late, d-session.Time(time.Millisecond))
	if got := other.counters.PacketsOut.Load(); got == before {
		t.Fatal("the other session's due packet was held back behind a postponed detection")
	}
	if e.s.State() != packet.StateUp || e.index < 0 || e.deadline != dl {
		t.Fatalf("postponed session: state %v, heap index %d, deadline %v (want Up, in the heap, unchanged %v)", e.s.State(), e.index, e.deadline, dl)
	}
	if len(sh.postponed) != 0 {
		t.Fatal("postponed list not emptied")
	}
}
