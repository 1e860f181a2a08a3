package netsim

import (
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

// Record is a state change seen by an endpoint.
type Record struct {
	session.Event
	Discr uint32 // the session's local discriminator
}

// Sent is a Control packet an endpoint transmitted.
type Sent struct {
	At  session.Time
	Ctl packet.Control
	Raw []byte
}

// Endpoint is one BFD system with one session.
type Endpoint struct {
	Name string
	S    *session.Session

	sim    *Sim
	link   *Link
	peer   *Endpoint
	wakeAt session.Time
	down   bool // stopped: hears and sends nothing
	buf    [packet.MaxPacketLen]byte

	// Observations for assertions.
	Events   []Record
	Drops    [packet.NumDropReasons]uint64
	RecordTx bool // keep every sent Control packet in Tx
	Tx       []Sent
	EchoBack uint64 // echo packets of ours that came back
	// Violations of the three-way handshake: an Up transition caused by a
	// packet that does not show the peer in Init/Up with our discriminator.
	HandshakeViolations []string
	// OnEvent, if set, is called for every state change.
	OnEvent func(ep *Endpoint, r Record)
}

// AddEndpoint creates a system with a new session (fresh random
// discriminator) using p.
func (s *Sim) AddEndpoint(name string, p session.Params) *Endpoint {
	ep := &Endpoint{Name: name, sim: s, wakeAt: session.Never}
	ep.S = ep.newSession(p)
	s.eps = append(s.eps, ep)
	ep.schedule()
	return ep
}

func (ep *Endpoint) newSession(p session.Params) *session.Session {
	d := uint32(0)
	for d == 0 {
		d = ep.sim.rng.Uint32()
	}
	s, err := session.New(session.Config{Params: p, LocalDiscr: d, Rand: ep.sim.rng}, ep.sim.now)
	if err != nil {
		panic("netsim: " + err.Error())
	}
	return s
}

// Peer is the endpoint at the other end of the link.
func (ep *Endpoint) Peer() *Endpoint { return ep.peer }

// State is the session state.
func (ep *Endpoint) State() packet.State { return ep.S.State() }

// Restart replaces the session with a new one (a daemon restart: new
// discriminator, state Down) and revives a stopped endpoint.
func (ep *Endpoint) Restart(p session.Params) {
	ep.down = false
	ep.S = ep.newSession(p)
	ep.wakeAt = session.Never
	ep.schedule()
}

// Stop silences the endpoint (a crash or a hung process).
func (ep *Endpoint) Stop() { ep.down = true }

// SetParams changes the session parameters now.
func (ep *Endpoint) SetParams(p session.Params) error {
	out, err := ep.S.SetParams(ep.sim.now, p)
	if err != nil {
		return err
	}
	ep.act(out)
	return nil
}

// SetAdminDown disables the session (RFC 5880 §6.8.16).
func (ep *Endpoint) SetAdminDown() { ep.act(ep.S.SetAdminDown(ep.sim.now)) }

// SetAdminUp enables it again.
func (ep *Endpoint) SetAdminUp() { ep.act(ep.S.SetAdminUp(ep.sim.now)) }

// Poll starts a Poll Sequence (RFC 5880 §6.6).
func (ep *Endpoint) Poll() { ep.act(ep.S.Poll(ep.sim.now)) }

// LastEvent returns the latest state change, if any.
func (ep *Endpoint) LastEvent() (Record, bool) {
	if len(ep.Events) == 0 {
		return Record{}, false
	}
	return ep.Events[len(ep.Events)-1], true
}

// wake runs the session's timers if this wake-up is still the current one.
func (ep *Endpoint) wake(at session.Time) {
	if ep.down || at != ep.wakeAt {
		return // stale: the deadline moved since this was scheduled
	}
	ep.wakeAt = session.Never
	ep.act(ep.S.HandleTimer(ep.sim.now))
}

// receive handles a packet arriving from the link.
func (ep *Endpoint) receive(pkt []byte, echo bool) {
	if ep.down {
		return
	}
	if echo {
		if pkt[0] == ep.Name[0] && len(pkt) == 5 {
			// Ours came back (§6.8.8): the first byte names the sender.
			ep.EchoBack++
			ep.S.HandleEcho(ep.sim.now)
			ep.schedule()
			return
		}
		ep.link.send(ep, pkt, true) // loop the peer's echo back unchanged
		return
	}
	var c packet.Control
	if r := packet.Decode(pkt, &c); r != packet.DropNone {
		ep.Drops[r]++
		return
	}
	// Demultiplex as the engine does (RFC 5880 §6.8.6 step 7).
	if c.YourDiscr != 0 && c.YourDiscr != ep.S.LocalDiscr() {
		ep.Drops[packet.DropNoSession]++
		return
	}
	out := ep.S.HandlePacket(ep.sim.now, &c, pkt)
	if out.Drop != packet.DropNone {
		ep.Drops[out.Drop]++
	}
	if out.Changed && out.Event.New == packet.StateUp &&
		!((c.State == packet.StateInit || c.State == packet.StateUp) && c.YourDiscr == ep.S.LocalDiscr()) {
		ep.HandshakeViolations = append(ep.HandshakeViolations,
			ep.Name+" went Up on a packet in "+c.State.String()+" not addressed to it")
	}
	ep.act(out)
}

// act performs an Output the way the engine does.
func (ep *Endpoint) act(out session.Output) {
	now := ep.sim.now
	if out.Changed {
		r := Record{Event: out.Event, Discr: ep.S.LocalDiscr()}
		ep.Events = append(ep.Events, r)
		if ep.OnEvent != nil {
			ep.OnEvent(ep, r)
		}
	}
	if out.Send && !ep.down {
		if n := ep.S.BuildControl(now, ep.buf[:]); n > 0 {
			if ep.RecordTx {
				var c packet.Control
				packet.Decode(ep.buf[:n], &c)
				ep.Tx = append(ep.Tx, Sent{At: now, Ctl: c, Raw: append([]byte(nil), ep.buf[:n]...)})
			}
			if ep.link != nil {
				ep.link.send(ep, ep.buf[:n], false)
			}
		}
	}
	if out.SendEcho && !ep.down {
		// An Echo packet only its sender understands (§6.4): a name byte
		// and the discriminator.
		d := ep.S.LocalDiscr()
		if ep.link != nil {
			ep.link.send(ep, []byte{ep.Name[0], byte(d >> 24), byte(d >> 16), byte(d >> 8), byte(d)}, true)
		}
		ep.S.EchoSent(now)
	}
	ep.schedule()
}

// schedule makes sure a wake-up is queued for the session's next deadline.
func (ep *Endpoint) schedule() {
	if ep.down {
		return
	}
	d := ep.S.NextDeadline()
	if d == ep.wakeAt || d == session.Never {
		ep.wakeAt = d
		return
	}
	ep.wakeAt = max(d, ep.sim.now)
	ep.sim.push(&event{at: ep.wakeAt, kind: evWake, ep: ep})
}

// Inject delivers raw to ep now, as if it came off the wire (a replay or a
// forged packet).
func (ep *Endpoint) Inject(raw []byte) {
	ep.sim.push(&event{at: ep.sim.now, kind: evDeliver, ep: ep, pkt: append([]byte(nil), raw...)})
}
