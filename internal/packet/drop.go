package packet

// DropReason says why a received packet was discarded. Every discard in
// gobfd leaves through one of these values; String gives the stable label
// used in metrics and logs.
type DropReason uint8

const (
	DropNone DropReason = iota

	// Stateless, returned by Decode: RFC 5880 §6.8.6 steps 1–7 and the
	// section formats of §4.2–§4.4.
	DropTooShort             // fewer than 24 bytes of payload
	DropBadVersion           // step 1: version is not 1
	DropBadLength            // step 2: Length < 24 (< 26 with A), or inconsistent with the auth section
	DropLengthExceedsPayload // step 3: Length > payload
	DropDetectMultZero       // step 4
	DropMultipoint           // step 5: M bit set
	DropMyDiscrZero          // step 6
	DropYourDiscrZero        // step 7: Your Discriminator 0 outside Down/AdminDown
	DropBadAuthSection       // §4.2–§4.4: unknown type or wrong Auth Len

	// Stateful, returned by the session, the engine and netio.
	DropNoSession        // step 7: no session matches
	DropAuthMissing      // step 8: A clear while authentication is in use
	DropAuthUnexpected   // step 8: A set while no authentication is in use
	DropAuthTypeMismatch // §6.7.2–§6.7.4: Auth Type differs from bfd.AuthType
	DropAuthKeyID        // Auth Key ID not in the key ring
	DropAuthDigest       // wrong password or digest
	DropAuthSeq          // sequence number outside the window (replay)
	DropTTL              // RFC 5881 §5, RFC 5883 §5: TTL/Hop Limit too low
	DropSessionAdminDown // §6.8.6: received while bfd.SessionState is AdminDown

	NumDropReasons // number of reasons, for arrays of counters
)

var dropNames = [NumDropReasons]string{
	DropNone:                 "none",
	DropTooShort:             "too_short",
	DropBadVersion:           "bad_version",
	DropBadLength:            "bad_length",
	DropLengthExceedsPayload: "length_exceeds_payload",
	DropDetectMultZero:       "detect_mult_zero",
	DropMultipoint:           "multipoint",
	DropMyDiscrZero:          "my_discr_zero",
	DropYourDiscrZero:        "your_discr_zero",
	DropBadAuthSection:       "bad_auth_section",
	DropNoSession:            "no_session",
	DropAuthMissing:          "auth_missing",
	DropAuthUnexpected:       "auth_unexpected",
	DropAuthTypeMismatch:     "auth_type_mismatch",
	DropAuthKeyID:            "auth_key_id",
	DropAuthDigest:           "auth_digest",
	DropAuthSeq:              "auth_seq",
	DropTTL:                  "ttl",
	DropSessionAdminDown:     "session_admin_down",
}

// String returns the stable snake_case label of r.
func (r DropReason) String() string {
	if r < NumDropReasons {
		return dropNames[r]
	}
	return "unknown"
}

// IsAuth reports whether r is an authentication failure (RFC 5880 §6.7).
func (r DropReason) IsAuth() bool { return r >= DropAuthMissing && r <= DropAuthSeq }
