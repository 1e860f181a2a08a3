package server

import (
	"errors"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// strictJSON is Connect's JSON codec without its leniency: an unknown
// field or enum name is an error (InvalidArgument) instead of being
// dropped. Dropping them would turn a typo such as "auth": {"type":
// "AUTH_TYPE_SHA1"} into a session without authentication. The binary
// codec keeps protobuf's rules (clients built from the .proto cannot
// misspell).
type strictJSON struct{ name string }

func (c strictJSON) Name() string { return c.name }

func (c strictJSON) IsBinary() bool { return false }

func (c strictJSON) Marshal(m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, errors.New("not a protobuf message")
	}
	return protojson.Marshal(pm)
}

func (c strictJSON) Unmarshal(b []byte, m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return errors.New("not a protobuf message")
	}
	if len(b) == 0 {
		return errors.New("zero-length payload is not a valid JSON object")
	}
	return protojson.Unmarshal(b, pm)
}
