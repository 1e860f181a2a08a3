package packet

import (
	"encoding/binary"
	"errors"
)

// Errors returned by Marshal.
var (
	ErrShortBuffer = errors.New("packet: buffer too short")
	ErrKeyLength   = errors.New("packet: authentication key length out of range")
	ErrAuthType    = errors.New("packet: unknown authentication type")
)

// Marshal encodes *p into b and returns the packet length (RFC 5880 §4.1).
// Version is always 1; Length and Auth Len are computed and stored back
// into p. With the A bit set, p.Auth supplies Type, KeyID and Seq and key is
// the secret: the password itself for simple password (1–16 bytes, §4.2),
// the key for the digest of keyed/meticulous MD5 (≤ 16 bytes, §6.7.3) and
// SHA1 (≤ 20 bytes, §6.7.4). Marshal does not allocate.
func Marshal(b []byte, p *Control, key []byte) (int, error) {
	n := HeaderLen
	if p.AuthBit {
		switch p.Auth.Type {
		case AuthSimple:
			if len(key) < 1 || len(key) > MaxPasswordLen {
				return 0, ErrKeyLength
			}
			n += 3 + len(key)
		case AuthKeyedMD5, AuthMeticulousMD5:
			if len(key) < 1 || len(key) > MD5DigestLen {
				return 0, ErrKeyLength
			}
			n += MD5AuthLen
		case AuthKeyedSHA1, AuthMeticulousSHA1:
			if len(key) < 1 || len(key) > SHA1DigestLen {
				return 0, ErrKeyLength
			}
			n += SHA1AuthLen
		default:
			return 0, ErrAuthType
		}
	}
	if len(b) < n {
		return 0, ErrShortBuffer
	}
	b = b[:n]
	p.Version = Version
	p.Length = uint8(n)
	b[0] = Version<<5 | uint8(p.Diag)&0x1f
	b[1] = uint8(p.State)<<6 | bit(p.Poll, 0x20) | bit(p.Final, 0x10) | bit(p.CPI, 0x08) |
		bit(p.AuthBit, 0x04) | bit(p.Demand, 0x02) | bit(p.Multipoint, 0x01)
	b[2] = p.DetectMult
	b[3] = uint8(n)
	binary.BigEndian.PutUint32(b[4:], p.MyDiscr)
	binary.BigEndian.PutUint32(b[8:], p.YourDiscr)
	binary.BigEndian.PutUint32(b[12:], p.DesiredMinTx)
	binary.BigEndian.PutUint32(b[16:], p.RequiredMinRx)
	binary.BigEndian.PutUint32(b[20:], p.RequiredMinEchoRx)
	if !p.AuthBit {
		return n, nil
	}
	a := &p.Auth
	s := b[HeaderLen:]
	a.Len = uint8(len(s))
	s[0], s[1], s[2] = uint8(a.Type), a.Len, a.KeyID
	if a.Type == AuthSimple {
		// §4.2: the password follows the Key ID.
		copy(s[3:], key)
		a.PasswordLen = uint8(len(key))
		a.Password = [MaxPasswordLen]byte{}
		copy(a.Password[:], key)
		return n, nil
	}
	s[3] = 0 // Reserved
	binary.BigEndian.PutUint32(s[4:], a.Seq)
	sum(b, a.Type, key, &a.Digest)
	copy(s[8:], a.Digest[:len(s)-8])
	return n, nil
}

func bit(v bool, m uint8) uint8 {
	if v {
		return m
	}
	return 0
}
