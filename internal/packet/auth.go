package packet

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
)

// sum computes the digest of a keyed or meticulous MD5/SHA1 packet
// (RFC 5880 §6.7.3, §6.7.4): over the whole packet pkt, with the digest
// field holding the key zero-padded to the digest length. pkt itself is not
// modified; the work happens on a stack copy.
func sum(pkt []byte, t AuthType, key []byte, out *[SHA1DigestLen]byte) {
	var buf [MaxPacketLen]byte
	n := copy(buf[:], pkt)
	dl := MD5DigestLen
	if t == AuthKeyedSHA1 || t == AuthMeticulousSHA1 {
		dl = SHA1DigestLen
	}
	field := buf[HeaderLen+8 : HeaderLen+8+dl]
	clear(field)
	copy(field, key)
	if dl == MD5DigestLen {
		d := md5.Sum(buf[:n])
		copy(out[:], d[:])
		return
	}
	*out = sha1.Sum(buf[:n])
}

// VerifyAuth checks the authentication data of a packet that Decode
// accepted with the A bit set: raw is the buffer Decode saw and key the
// secret for p.Auth.KeyID. Simple password (§6.7.2): the password must equal
// the key. Keyed and meticulous MD5/SHA1 (§6.7.3, §6.7.4): the digest must
// match one computed with the key. Comparisons are constant-time. Sequence
// windows are the session's business. VerifyAuth does not allocate.
func VerifyAuth(raw []byte, p *Control, key []byte) DropReason {
	a := &p.Auth
	switch a.Type {
	case AuthSimple:
		if int(a.PasswordLen) != len(key) ||
			subtle.ConstantTimeCompare(a.Password[:a.PasswordLen], key) != 1 {
			return DropAuthDigest
		}
		return DropNone
	case AuthKeyedMD5, AuthMeticulousMD5, AuthKeyedSHA1, AuthMeticulousSHA1:
		if len(raw) < int(p.Length) || int(p.Length) > MaxPacketLen || len(key) == 0 {
			return DropAuthDigest
		}
		var want [SHA1DigestLen]byte
		sum(raw[:p.Length], a.Type, key, &want)
		dl := a.Type.SectionLen() - 8
		if subtle.ConstantTimeCompare(want[:dl], a.Digest[:dl]) != 1 {
			return DropAuthDigest
		}
		return DropNone
	}
	return DropBadAuthSection
}
