// Package session is the sans-I/O BFD protocol core (RFC 5880 §6).
//
// A Session holds the state variables of RFC 5880 §6.8.1 for one BFD
// session and implements everything that happens to them: the state
// machine (§6.2, §6.8.6), timer negotiation and detection (§6.8.2–§6.8.4),
// jitter (§6.8.7), Poll/Final (§6.5), Demand mode (§6.6), the timers of the
// Echo function (§6.4, §6.8.9), administrative control (§6.8.16) and
// authentication with sequence-number windows (§6.7).
//
// It never reads a clock, sleeps, starts goroutines, logs or touches a
// socket. Every input carries the current Time; every input returns an
// Output telling the caller what to do (send a Control packet, send an Echo
// packet, record a state change); NextDeadline says when HandleTimer is due.
// A Session is not safe for concurrent use: exactly one goroutine owns it
// (an engine shard in the daemon, the simulator in tests).
//
// The caller's loop is:
//
//	out := s.HandlePacket(now, &ctl, raw)   // or HandleTimer, SetParams, ...
//	if out.Send     { n := s.BuildControl(now, buf); if n > 0 { send(buf[:n]) } }
//	if out.SendEcho { sendEcho(); s.EchoSent(now) }
//	if out.Changed  { publish(out.Event) }
//	wakeAt(s.NextDeadline())
package session
