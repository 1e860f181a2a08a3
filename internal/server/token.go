package server

import (
	"context"
	"crypto/subtle"
	"strings"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// mutating are the procedures that change sessions: with grpc.token_file
// set they need "Authorization: Bearer <token>". Reads (list, get, watch,
// version, health, reflection) stay open to whoever reaches the listener,
// which is loopback, a Unix socket of mode 0660 or mutual TLS.
var mutating = map[string]bool{
	bfdpbconnect.BfdServiceAddSessionProcedure:           true,
	bfdpbconnect.BfdServiceDeleteSessionProcedure:        true,
	bfdpbconnect.BfdServiceUpdateSessionProcedure:        true,
	bfdpbconnect.BfdServiceSetSessionAdminStateProcedure: true,
}

// tokenInterceptor refuses a mutating call without the right token
// (Unauthenticated), comparing in constant time.
func (s *Server) tokenInterceptor() connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if want := s.token.Load(); want != nil && mutating[req.Spec().Procedure] {
				h := req.Header().Get("Authorization")
				got, ok := strings.CutPrefix(h, "Bearer ")
				switch {
				case h == "":
					return nil, connect.NewError(connect.CodeUnauthenticated,
						errorf("this call changes sessions and needs a bearer token (grpc.token_file is set; gobfdctl --token-file)"))
				case !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), *want) != 1:
					return nil, connect.NewError(connect.CodeUnauthenticated, errorf("wrong bearer token"))
				}
			}
			return next(ctx, req)
		}
	}
}
