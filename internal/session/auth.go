package session

import (
	"fmt"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// authState holds bfd.AuthType, bfd.RcvAuthSeq, bfd.XmitAuthSeq and
// bfd.AuthSeqKnown (RFC 5880 §6.8.1) and the key ring.
type authState struct {
	typ      packet.AuthType // bfd.AuthType
	keys     []Key
	txKey    []byte
	txKeyID  uint8
	rcvSeq   uint32 // bfd.RcvAuthSeq
	xmitSeq  uint32 // bfd.XmitAuthSeq
	seqKnown bool   // bfd.AuthSeqKnown
}

// validate checks the authentication configuration.
func (a *Auth) validate() error {
	if a.Type == packet.AuthNone {
		return nil
	}
	if a.Type > packet.AuthMeticulousSHA1 {
		return &ParamError{"auth.type", fmt.Sprintf("unknown type %d", a.Type)}
	}
	if len(a.Keys) == 0 {
		return &ParamError{"auth.keys", "at least one key is required"}
	}
	maxLen := packet.MaxPasswordLen // simple password and MD5 key: 16 bytes
	if a.Type == packet.AuthKeyedSHA1 || a.Type == packet.AuthMeticulousSHA1 {
		maxLen = packet.SHA1DigestLen
	}
	seen := [256]bool{}
	tx := false
	for i, k := range a.Keys {
		if seen[k.ID] {
			return &ParamError{fmt.Sprintf("auth.keys[%d].id", i), fmt.Sprintf("key ID %d appears twice", k.ID)}
		}
		seen[k.ID] = true
		if len(k.Secret) < 1 || len(k.Secret) > maxLen {
			return &ParamError{fmt.Sprintf("auth.keys[%d].secret", i),
				fmt.Sprintf("length %d is outside 1..%d bytes for %v", len(k.Secret), maxLen, a.Type)}
		}
		tx = tx || k.ID == a.TxKeyID
	}
	if !tx {
		return &ParamError{"auth.tx_key_id", fmt.Sprintf("key ID %d is not in the key ring", a.TxKeyID)}
	}
	return nil
}

// configure installs a validated configuration. Changing the type forgets
// the receive sequence; rotating keys keeps it (hitless rotation).
func (a *authState) configure(c Auth) {
	if c.Type != a.typ {
		a.seqKnown = false
	}
	a.typ = c.Type
	a.keys = c.Keys
	a.txKey, a.txKeyID = nil, c.TxKeyID
	for _, k := range c.Keys {
		if k.ID == c.TxKeyID {
			a.txKey = k.Secret
		}
	}
}

func (a *authState) key(id uint8) []byte {
	for _, k := range a.keys {
		if k.ID == id {
			return k.Secret
		}
	}
	return nil
}

// verify authenticates a received packet (RFC 5880 §6.7.2–§6.7.4) and, when
// it passes, advances bfd.RcvAuthSeq.
func (a *authState) verify(p *packet.Control, raw []byte) packet.DropReason {
	if p.Auth.Type != a.typ {
		return packet.DropAuthTypeMismatch
	}
	key := a.key(p.Auth.KeyID)
	if key == nil {
		return packet.DropAuthKeyID
	}
	if a.typ.HasSequence() && a.seqKnown {
		// The window is bfd.RcvAuthSeq (+1 for the meticulous types) to
		// bfd.RcvAuthSeq + 3*Detect Mult, in 32-bit circular arithmetic.
		lo := uint32(0)
		if a.typ.Meticulous() {
			lo = 1
		}
		off := p.Auth.Seq - a.rcvSeq
		if off < lo || off > 3*uint32(p.DetectMult) {
			return packet.DropAuthSeq
		}
	}
	if r := packet.VerifyAuth(raw, p, key); r != packet.DropNone {
		return r
	}
	if a.typ.HasSequence() {
		a.rcvSeq = p.Auth.Seq
		a.seqKnown = true
	}
	return packet.DropNone
}

// fill sets the authentication fields of an outgoing packet and returns the
// key to sign it with (RFC 5880 §6.7).
func (a *authState) fill(c *packet.Control) []byte {
	if a.typ == packet.AuthNone {
		return nil
	}
	c.AuthBit = true
	c.Auth.Type = a.typ
	c.Auth.KeyID = a.txKeyID
	c.Auth.Seq = a.xmitSeq
	return a.txKey
}

// sent advances bfd.XmitAuthSeq. The meticulous types MUST increment it on
// every packet; for the keyed types incrementing is allowed (§6.7.3,
// §6.7.4) and keeps the peer's replay window moving.
func (a *authState) sent() {
	if a.typ.HasSequence() {
		a.xmitSeq++
	}
}
