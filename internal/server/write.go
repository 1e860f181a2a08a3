package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/session"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// AddSession validates the spec with the configuration file's checks,
// fills what it leaves out from bfd.default_*, and starts the session as
// run-time state (owner "api").
func (s *Server) AddSession(_ context.Context, req *connect.Request[bfdpb.AddSessionRequest]) (*connect.Response[bfdpb.AddSessionResponse], error) {
	sp := req.Msg.Session
	if sp == nil {
		return nil, invalid([]error{fieldError("session", "", "is required")})
	}
	run := s.config()
	cs, errs := specSession(sp)
	if len(errs) > 0 {
		return nil, invalid(errs)
	}
	// The file's own conversion, with the running defaults.
	one := *run.cfg
	one.Sessions = []config.Session{cs}
	sc := one.EngineSessions()[0]
	sc.Owner = "api"
	if run.fileKeys[sc.Key] {
		if _, live := s.eng.Session(sc.Key); live {
			return nil, connect.NewError(connect.CodeAlreadyExists, errorf("session %s already exists (the configuration file defines it)", sc.Key))
		}
		return nil, connect.NewError(connect.CodeFailedPrecondition,
			errorf("session %s is defined by the configuration file; a reload (systemctl reload gobfd) restores it", sc.Key))
	}
	if err := s.prepare(sc.Key); err != nil {
		field := "session.interface"
		if sc.Key.Interface == "" {
			field = "session.vrf"
		}
		return nil, invalid([]error{fieldError(field, sc.Key.Device(), "cannot be listened on: "+err.Error())})
	}
	if _, err := s.eng.Add(sc); err != nil {
		var oe *net.OpError // the interface's index could not be found
		if sc.Key.Interface != "" && errors.As(err, &oe) {
			return nil, invalid([]error{fieldError("session.interface", sc.Key.Interface, err.Error())})
		}
		return nil, engineError(err, sc.Key)
	}
	s.log.Info("api: session added", "session", sc.Key.String())
	d, ok := s.eng.Session(sc.Key)
	if !ok {
		return nil, connect.NewError(connect.CodeAborted, errorf("session %s was removed while being added", sc.Key))
	}
	return connect.NewResponse(&bfdpb.AddSessionResponse{Session: s.sessionPB(&d)}), nil
}

// specSession turns an API spec into a file session and checks it.
// Unlike the file, a timer or multiplier that is present is checked even
// when zero (absent ones take the defaults).
func specSession(sp *bfdpb.SessionSpec) (config.Session, []error) {
	var errs []error
	typ, ok := typeName(sp.Type)
	if !ok {
		errs = append(errs, fieldError("session.type", sp.Type.String(), "is not single_hop or multi_hop"))
	}
	cs := config.Session{Peer: sp.Peer, Local: sp.Local, Interface: sp.Interface, VRF: sp.Vrf, Type: typ,
		PaddedPDUSize: int(sp.PaddedPduSize), Passive: sp.Passive, Demand: sp.Demand}
	if cs.Type == "" {
		cs.Type = "single_hop"
	}
	if sp.DesiredMinTx != nil {
		d, err := interval("session.desired_min_tx", sp.DesiredMinTx)
		errs = append(errs, err...)
		cs.DesiredMinTx = config.Duration(d)
	}
	if sp.RequiredMinRx != nil {
		d, err := interval("session.required_min_rx", sp.RequiredMinRx)
		errs = append(errs, err...)
		cs.RequiredMinRx = config.Duration(d)
	}
	if sp.DetectMult != nil {
		m, err := detectMult("session.detect_mult", *sp.DetectMult)
		errs = append(errs, err...)
		cs.DetectMult = m
	}
	if a := sp.Auth; a != nil && a.Type != bfdpb.AuthType_AUTH_TYPE_NONE {
		cs.Auth = &config.Auth{Type: authName(a.Type), KeyID: int(a.KeyId), Secret: a.Secret}
	}
	// Timers and multiplier are checked above (a bad one is left zero
	// here, so it is not reported twice); this checks the rest.
	errs = append(errs, config.CheckSession("session", cs)...)
	return cs, errs
}

// interval checks a duration field with the file's limits; a zero or
// negative one is refused (it is present, so it is not "the default").
func interval(field string, p interface{ AsDuration() time.Duration }) (time.Duration, []error) {
	d := p.AsDuration()
	if r := config.IntervalProblem(d); r != "" {
		return 0, []error{fieldError(field, d.String(), r)}
	}
	return d, nil
}

func detectMult(field string, m uint32) (int, []error) {
	if m > 255 {
		m = 256 // keep the message exact without overflowing int on 32-bit
	}
	if r := config.DetectMultProblem(int(m)); r != "" {
		return 0, []error{fieldError(field, fmt.Sprint(m), r)}
	}
	return int(m), nil
}

// DeleteSession removes a session gracefully (AdminDown first, RFC 5880
// §6.8.16). A session of the configuration file needs force.
func (s *Server) DeleteSession(_ context.Context, req *connect.Request[bfdpb.DeleteSessionRequest]) (*connect.Response[bfdpb.DeleteSessionResponse], error) {
	d, err := s.selectSession(req.Msg.Selector)
	if err != nil {
		return nil, err
	}
	if s.owner(d.Key) == bfdpb.Owner_OWNER_CONFIG && !req.Msg.Force {
		return nil, connect.NewError(connect.CodePermissionDenied, errorf(
			"session %s belongs to the configuration file: remove it there and reload, or delete it with force (a reload restores it)", d.Key))
	}
	out := s.sessionPB(&d)
	if err := s.eng.Remove(d.Key); err != nil {
		return nil, engineError(err, d.Key)
	}
	s.log.Info("api: session deleted", "session", d.Key.String(), "force", req.Msg.Force)
	return connect.NewResponse(&bfdpb.DeleteSessionResponse{Session: out}), nil
}

// UpdateSession changes the fields that are set; timer changes run a Poll
// Sequence in the engine (RFC 5880 §6.8.3), so an Up session stays Up.
func (s *Server) UpdateSession(_ context.Context, req *connect.Request[bfdpb.UpdateSessionRequest]) (*connect.Response[bfdpb.UpdateSessionResponse], error) {
	m := req.Msg
	var errs []error
	changed := false
	// Check the request before looking the session up, so that a bad
	// request is InvalidArgument whatever it selects.
	var tx, rx time.Duration
	var mult int
	if m.DesiredMinTx != nil {
		var e []error
		tx, e = interval("desired_min_tx", m.DesiredMinTx)
		errs, changed = append(errs, e...), true
	}
	if m.RequiredMinRx != nil {
		var e []error
		rx, e = interval("required_min_rx", m.RequiredMinRx)
		errs, changed = append(errs, e...), true
	}
	if m.DetectMult != nil {
		var e []error
		mult, e = detectMult("detect_mult", *m.DetectMult)
		errs, changed = append(errs, e...), true
	}
	var auth *session.Auth
	if a := m.Auth; a != nil {
		changed = true
		auth = &session.Auth{}
		if a.Type != bfdpb.AuthType_AUTH_TYPE_NONE {
			ca := config.Auth{Type: authName(a.Type), KeyID: int(a.KeyId), Secret: a.Secret}
			if e := config.CheckAuth("auth", ca); len(e) > 0 {
				errs = append(errs, e...)
			} else {
				t, _ := config.AuthTypeOf(ca.Type)
				*auth = session.Auth{Type: t, Keys: []session.Key{{ID: uint8(a.KeyId), Secret: []byte(a.Secret)}},
					TxKeyID: uint8(a.KeyId)}
			}
		}
	}
	if m.Passive != nil || m.Demand != nil {
		changed = true
	}
	if !changed && len(errs) == 0 {
		errs = append(errs, fieldError("desired_min_tx", "", "nothing to change: set a timer, detect_mult, auth, passive or demand"))
	}
	if len(errs) > 0 {
		return nil, invalid(errs)
	}
	d, err := s.selectSession(m.Selector)
	if err != nil {
		return nil, err
	}
	p := d.Params
	if tx != 0 {
		p.DesiredMinTx = tx
	}
	if rx != 0 {
		p.RequiredMinRx = rx
	}
	if mult != 0 {
		p.DetectMult = uint8(mult)
	}
	if auth != nil {
		p.Auth = *auth
	}
	if m.Passive != nil {
		p.Passive = *m.Passive
	}
	if m.Demand != nil {
		p.Demand = *m.Demand
	}
	if err := s.eng.Update(d.Key, p); err != nil {
		return nil, engineError(err, d.Key)
	}
	s.log.Info("api: session updated", "session", d.Key.String(), "desired_min_tx", p.DesiredMinTx.String(),
		"required_min_rx", p.RequiredMinRx.String(), "detect_mult", p.DetectMult, "auth", p.Auth.Type.String())
	return respondWith(s, d.Key, func(x *bfdpb.Session) *connect.Response[bfdpb.UpdateSessionResponse] {
		// While a Poll Sequence runs the session holds the change back
		// until its Final (RFC 5880 §6.8.3); the answer shows what was
		// configured.
		x.Params.DesiredMinTx, x.Params.RequiredMinRx = dur(p.DesiredMinTx), dur(p.RequiredMinRx)
		x.Params.DetectMult, x.Params.Passive, x.Params.Demand = uint32(p.DetectMult), p.Passive, p.Demand
		x.Params.AuthType, x.Params.AuthKeyId = authPB(p.Auth.Type), uint32(p.Auth.TxKeyID)
		return connect.NewResponse(&bfdpb.UpdateSessionResponse{Session: x})
	})
}

// SetSessionAdminState disables (AdminDown, diag 7) or enables a session
// (RFC 5880 §6.8.16).
func (s *Server) SetSessionAdminState(_ context.Context, req *connect.Request[bfdpb.SetSessionAdminStateRequest]) (*connect.Response[bfdpb.SetSessionAdminStateResponse], error) {
	var down bool
	switch req.Msg.AdminState {
	case bfdpb.AdminState_ADMIN_STATE_DOWN:
		down = true
	case bfdpb.AdminState_ADMIN_STATE_UP:
	default:
		return nil, invalid([]error{fieldError("admin_state", req.Msg.AdminState.String(), "is not ADMIN_STATE_UP or ADMIN_STATE_DOWN")})
	}
	d, err := s.selectSession(req.Msg.Selector)
	if err != nil {
		return nil, err
	}
	if err := s.eng.SetAdminDown(d.Key, down); err != nil {
		return nil, engineError(err, d.Key)
	}
	s.log.Info("api: session admin state set", "session", d.Key.String(), "admin_down", down)
	return respondWith(s, d.Key, func(x *bfdpb.Session) *connect.Response[bfdpb.SetSessionAdminStateResponse] {
		return connect.NewResponse(&bfdpb.SetSessionAdminStateResponse{Session: x})
	})
}

// respondWith answers with the session as it is after a change.
func respondWith[R any](s *Server, k engine.Key, wrap func(*bfdpb.Session) *connect.Response[R]) (*connect.Response[R], error) {
	d, ok := s.eng.Session(k)
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, errorf("session %s was removed meanwhile", k))
	}
	return wrap(s.sessionPB(&d)), nil
}
