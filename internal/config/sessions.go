package config

import (
	"net/netip"
	"reflect"
	"time"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/session"
)

// EngineSessions turns the validated sessions into engine configurations,
// filling unset values from bfd.default_*.
func (c *Config) EngineSessions() []engine.SessionConfig {
	out := make([]engine.SessionConfig, 0, len(c.Sessions))
	for _, s := range c.Sessions {
		k := engine.Key{
			Peer:      netip.MustParseAddr(s.Peer),
			Local:     netip.MustParseAddr(s.Local),
			Interface: s.Interface,
			VRF:       s.VRF,
		}
		if s.Type == "multi_hop" {
			k.Type = engine.MultiHop
		}
		p := session.Params{
			DesiredMinTx:  time.Duration(or(s.DesiredMinTx, c.BFD.DefaultDesiredMinTx)),
			RequiredMinRx: time.Duration(or(s.RequiredMinRx, c.BFD.DefaultRequiredMinRx)),
			DetectMult:    uint8(or(s.DetectMult, c.BFD.DefaultDetectMult)),
			Passive:       s.Passive,
			Demand:        s.Demand,
		}
		if a := s.Auth; a != nil {
			p.Auth = session.Auth{
				Type:    authTypes[a.Type],
				Keys:    []session.Key{{ID: uint8(a.KeyID), Secret: []byte(a.Secret)}},
				TxKeyID: uint8(a.KeyID),
			}
		}
		out = append(out, engine.SessionConfig{Key: k, Params: p, PaddedSize: s.PaddedPDUSize, Owner: "config"})
	}
	return out
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Change is what a reload does to the engine.
type Change struct {
	Add    []engine.SessionConfig
	Remove []engine.Key
	Update []engine.SessionConfig // same key, new parameters
}

// Diff compares the sessions of two configurations by key.
func Diff(old, cur []engine.SessionConfig) Change {
	var ch Change
	was := make(map[engine.Key]engine.SessionConfig, len(old))
	for _, s := range old {
		was[s.Key] = s
	}
	for _, s := range cur {
		o, ok := was[s.Key]
		switch {
		case !ok:
			ch.Add = append(ch.Add, s)
		case !reflect.DeepEqual(o, s):
			ch.Update = append(ch.Update, s)
		}
		delete(was, s.Key)
	}
	for _, s := range old {
		if _, gone := was[s.Key]; gone {
			ch.Remove = append(ch.Remove, s.Key)
		}
	}
	return ch
}
