package netio

import (
	"errors"
	"sync"
)

// Senders is a Sender that routes each message to a RawSender bound to its
// Device (SO_BINDTODEVICE: an interface, or a VRF so that the VRF's routing
// table applies), opening those sockets on first use; messages without a
// Device use an unbound pair.
type Senders struct {
	opts  SenderOptions
	mu    sync.Mutex
	byDev map[string]*RawSender
	split map[string][]Message
}

// NewSenders opens the unbound raw sockets at once, so that a missing
// CAP_NET_RAW is reported at start.
func NewSenders(o SenderOptions) (*Senders, error) {
	s := &Senders{opts: o, byDev: make(map[string]*RawSender), split: make(map[string][]Message)}
	if _, err := s.get(""); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Senders) get(dev string) (*RawSender, error) {
	if r := s.byDev[dev]; r != nil {
		return r, nil
	}
	o := s.opts
	o.Device = dev
	r, err := NewRawSender(o)
	if err != nil {
		return nil, err
	}
	s.byDev[dev] = r
	return r, nil
}

// Send implements Sender.
func (s *Senders) Send(ms []Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	uniform := true
	for i := range ms {
		if ms[i].Device != ms[0].Device {
			uniform = false
			break
		}
	}
	if len(ms) == 0 {
		return nil
	}
	if uniform {
		r, err := s.get(ms[0].Device)
		if err != nil {
			return err
		}
		return r.Send(ms)
	}
	for k := range s.split {
		s.split[k] = s.split[k][:0]
	}
	for i := range ms {
		s.split[ms[i].Device] = append(s.split[ms[i].Device], ms[i])
	}
	var errs []error
	for dev, part := range s.split {
		if len(part) == 0 {
			continue
		}
		r, err := s.get(dev)
		if err == nil {
			err = r.Send(part)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Fork opens an independent Senders with the same options and its own
// sockets, so that several shards send without sharing a lock (one
// shard's long batch must not hold up another's state change).
func (s *Senders) Fork() (Sender, error) { return NewSenders(s.opts) }

// Close closes every socket.
func (s *Senders) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.byDev {
		r.Close()
	}
	return nil
}
