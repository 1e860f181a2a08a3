package packet

// Version is the only BFD protocol version this package speaks (RFC 5880 §4.1).
const Version = 1

// Wire sizes (RFC 5880 §4.1–§4.4).
const (
	HeaderLen      = 24 // mandatory section
	MinAuthLen     = 2  // Auth Type + Auth Len
	SimpleAuthMin  = 4  // type, len, key id, 1-byte password
	SimpleAuthMax  = 19 // type, len, key id, 16-byte password
	MD5AuthLen     = 24 // §4.3
	SHA1AuthLen    = 28 // §4.4
	MD5DigestLen   = 16
	SHA1DigestLen  = 20
	MaxPasswordLen = 16
	MaxPacketLen   = HeaderLen + SHA1AuthLen // the longest control packet we build
)

// State is the Sta field (RFC 5880 §4.1).
type State uint8

const (
	StateAdminDown State = 0
	StateDown      State = 1
	StateInit      State = 2
	StateUp        State = 3
)

var stateNames = [...]string{"AdminDown", "Down", "Init", "Up"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(?)"
}

// Diag is the Diagnostic field (RFC 5880 §4.1).
type Diag uint8

const (
	DiagNone                  Diag = 0
	DiagControlDetectExpired  Diag = 1
	DiagEchoFailed            Diag = 2
	DiagNeighborDown          Diag = 3
	DiagForwardingPlaneReset  Diag = 4
	DiagPathDown              Diag = 5
	DiagConcatenatedPathDown  Diag = 6
	DiagAdminDown             Diag = 7
	DiagReverseConcatPathDown Diag = 8
)

var diagNames = [...]string{
	"None", "ControlDetectionTimeExpired", "EchoFunctionFailed",
	"NeighborSignaledSessionDown", "ForwardingPlaneReset", "PathDown",
	"ConcatenatedPathDown", "AdministrativelyDown", "ReverseConcatenatedPathDown",
}

func (d Diag) String() string {
	if int(d) < len(diagNames) {
		return diagNames[d]
	}
	return "Diag(?)"
}

// AuthType is the Auth Type field (RFC 5880 §4.1).
type AuthType uint8

const (
	AuthNone           AuthType = 0 // no auth section (0 is "Reserved" on the wire)
	AuthSimple         AuthType = 1
	AuthKeyedMD5       AuthType = 2
	AuthMeticulousMD5  AuthType = 3
	AuthKeyedSHA1      AuthType = 4
	AuthMeticulousSHA1 AuthType = 5
)

var authNames = [...]string{"none", "simple", "keyed_md5", "meticulous_keyed_md5", "keyed_sha1", "meticulous_keyed_sha1"}

func (a AuthType) String() string {
	if int(a) < len(authNames) {
		return authNames[a]
	}
	return "AuthType(?)"
}

// Meticulous reports whether the type requires a strictly increasing
// sequence number on every packet (RFC 5880 §6.7.3, §6.7.4).
func (a AuthType) Meticulous() bool { return a == AuthMeticulousMD5 || a == AuthMeticulousSHA1 }

// HasSequence reports whether the section carries a sequence number.
func (a AuthType) HasSequence() bool { return a >= AuthKeyedMD5 && a <= AuthMeticulousSHA1 }

// SectionLen is the Auth Len a well-formed section of this type has; for
// simple password it depends on the password and 0 is returned.
func (a AuthType) SectionLen() int {
	switch a {
	case AuthKeyedMD5, AuthMeticulousMD5:
		return MD5AuthLen
	case AuthKeyedSHA1, AuthMeticulousSHA1:
		return SHA1AuthLen
	}
	return 0
}

// Auth is a decoded authentication section (RFC 5880 §4.2–§4.4). It is a
// fixed-size value so that decoding allocates nothing.
type Auth struct {
	Type  AuthType
	Len   uint8  // Auth Len as on the wire
	KeyID uint8  // Auth Key ID
	Seq   uint32 // Sequence Number (MD5/SHA1 types)
	// Password holds the simple password (PasswordLen bytes) — §4.2.
	Password    [MaxPasswordLen]byte
	PasswordLen uint8
	// Digest holds the MD5 (16 bytes) or SHA1 (20 bytes) field — §4.3/§4.4.
	Digest [SHA1DigestLen]byte
}

// Control is a BFD Control packet (RFC 5880 §4.1). Intervals are in
// microseconds exactly as on the wire.
type Control struct {
	Version    uint8
	Diag       Diag
	State      State
	Poll       bool // P
	Final      bool // F
	CPI        bool // C: Control Plane Independent
	AuthBit    bool // A: Authentication Present
	Demand     bool // D
	Multipoint bool // M (must be zero)
	DetectMult uint8
	Length     uint8 // Length field; set by Marshal
	MyDiscr    uint32
	YourDiscr  uint32

	DesiredMinTx      uint32 // Desired Min TX Interval, µs
	RequiredMinRx     uint32 // Required Min RX Interval, µs
	RequiredMinEchoRx uint32 // Required Min Echo RX Interval, µs

	Auth Auth // valid when AuthBit is set
}
