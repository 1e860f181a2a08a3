package packet

import "encoding/binary"

// Decode parses the UDP payload b into *p and performs the stateless checks
// of RFC 5880 §6.8.6 (steps 1–7, everything that needs no session) in the
// order the RFC gives, then the format checks of the authentication section
// (§4.2–§4.4). It returns DropNone when the packet is acceptable. Bytes
// beyond Length are padding and are ignored (RFC 9764). Decode neither
// allocates nor retains b.
func Decode(b []byte, p *Control) DropReason {
	if len(b) < HeaderLen {
		return DropTooShort
	}
	b0, b1 := b[0], b[1]
	p.Version = b0 >> 5
	p.Diag = Diag(b0 & 0x1f)
	p.State = State(b1 >> 6)
	p.Poll = b1&0x20 != 0
	p.Final = b1&0x10 != 0
	p.CPI = b1&0x08 != 0
	p.AuthBit = b1&0x04 != 0
	p.Demand = b1&0x02 != 0
	p.Multipoint = b1&0x01 != 0
	p.DetectMult = b[2]
	p.Length = b[3]
	p.MyDiscr = binary.BigEndian.Uint32(b[4:])
	p.YourDiscr = binary.BigEndian.Uint32(b[8:])
	p.DesiredMinTx = binary.BigEndian.Uint32(b[12:])
	p.RequiredMinRx = binary.BigEndian.Uint32(b[16:])
	p.RequiredMinEchoRx = binary.BigEndian.Uint32(b[20:])

	// §6.8.6, in order.
	if p.Version != Version {
		return DropBadVersion
	}
	minLen := uint8(HeaderLen)
	if p.AuthBit {
		minLen = HeaderLen + 2
	}
	if p.Length < minLen {
		return DropBadLength
	}
	if int(p.Length) > len(b) {
		return DropLengthExceedsPayload
	}
	if p.DetectMult == 0 {
		return DropDetectMultZero
	}
	if p.Multipoint {
		return DropMultipoint
	}
	if p.MyDiscr == 0 {
		return DropMyDiscrZero
	}
	if p.YourDiscr == 0 && p.State != StateDown && p.State != StateAdminDown {
		return DropYourDiscrZero
	}
	if !p.AuthBit {
		// Nothing but the mandatory section is defined without the A bit;
		// a longer Length would describe bytes with no meaning, so it is
		// refused rather than guessed at.
		p.Auth = Auth{}
		if p.Length != HeaderLen {
			return DropBadLength
		}
		return DropNone
	}
	return decodeAuth(b[HeaderLen:p.Length], &p.Auth)
}

// decodeAuth parses an authentication section that must fill s exactly
// (RFC 5880 §4.2–§4.4).
func decodeAuth(s []byte, a *Auth) DropReason {
	*a = Auth{Type: AuthType(s[0]), Len: s[1]}
	if int(a.Len) != len(s) {
		// Auth Len must describe exactly the bytes Length leaves for it.
		return DropBadLength
	}
	switch a.Type {
	case AuthSimple:
		// §4.2: Auth Len = password length + 3, password 1–16 bytes.
		if a.Len < SimpleAuthMin || a.Len > SimpleAuthMax {
			return DropBadAuthSection
		}
		a.KeyID = s[2]
		a.PasswordLen = a.Len - 3
		copy(a.Password[:], s[3:])
	case AuthKeyedMD5, AuthMeticulousMD5, AuthKeyedSHA1, AuthMeticulousSHA1:
		// §4.3: Auth Len 24; §4.4: Auth Len 28.
		if int(a.Len) != a.Type.SectionLen() {
			return DropBadAuthSection
		}
		a.KeyID = s[2]
		// s[3] is Reserved: ignored on receipt.
		a.Seq = binary.BigEndian.Uint32(s[4:])
		copy(a.Digest[:], s[8:])
	default:
		return DropBadAuthSection
	}
	return DropNone
}
