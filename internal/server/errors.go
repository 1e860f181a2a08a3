package server

import (
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/session"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// fieldError is one problem with one field of a request.
func fieldError(field, value, reason string) error {
	return &config.Error{Key: field, Value: value, Reason: reason}
}

// invalid turns validation problems into InvalidArgument: the message
// names every field with its problem ("session.detect_mult: "0" is
// outside 1..255"), and a google.rpc.BadRequest detail carries the same
// as field violations for programs.
func invalid(errs []error) error {
	var msgs []string
	br := &errdetails.BadRequest{}
	for _, err := range errs {
		msgs = append(msgs, err.Error())
		var ce *config.Error
		if errors.As(err, &ce) {
			br.FieldViolations = append(br.FieldViolations,
				&errdetails.BadRequest_FieldViolation{Field: ce.Key, Description: ce.Error()})
		}
	}
	e := connect.NewError(connect.CodeInvalidArgument, errors.New(strings.Join(msgs, "; ")))
	if d, err := connect.NewErrorDetail(br); err == nil && len(br.FieldViolations) > 0 {
		e.AddDetail(d)
	}
	return e
}

// engineError maps an error of the engine to a status.
func engineError(err error, k engine.Key) error {
	var pe *session.ParamError
	switch {
	case errors.Is(err, engine.ErrExists):
		return connect.NewError(connect.CodeAlreadyExists, errorf("session %s already exists", k))
	case errors.Is(err, engine.ErrNotFound):
		return connect.NewError(connect.CodeNotFound, errorf("no session %s", k))
	case errors.Is(err, engine.ErrStopped):
		return connect.NewError(connect.CodeUnavailable, errorf("gobfd is shutting down"))
	case errors.As(err, &pe):
		return invalid([]error{fieldError(pe.Field, "", pe.Reason)})
	}
	return connect.NewError(connect.CodeInternal, err)
}
