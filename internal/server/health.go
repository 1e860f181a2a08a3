package server

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"

	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// health answers grpc.health.v1: SERVING while every engine shard runs its
// loop (the same liveness the systemd watchdog uses), NOT_SERVING once
// the server is closing or a shard is stuck.
type health struct{ s *Server }

func (h health) Check(_ context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	switch req.Service {
	case "", bfdpbconnect.BfdServiceName:
	default:
		return nil, connect.NewError(connect.CodeNotFound, errorf("unknown service %q", req.Service))
	}
	st := grpchealth.StatusServing
	select {
	case <-h.s.done:
		st = grpchealth.StatusNotServing
	default:
		if h.s.eng != nil && !h.s.eng.Alive(time.Second) {
			st = grpchealth.StatusNotServing
		}
	}
	return &grpchealth.CheckResponse{Status: st}, nil
}
