package main

import "github.com/dantte-lp/gobfd/pkg/bfdpb"

func sampleSessions() []*bfdpb.Session {
	return []*bfdpb.Session{
		{Peer: "198.19.0.1", Local: "198.18.0.1", State: bfdpb.SessionState_SESSION_STATE_UP},
		{Peer: "2001:db8::2", Local: "2001:db8::1", State: bfdpb.SessionState_SESSION_STATE_ADMIN_DOWN,
			LocalDiag: bfdpb.Diagnostic_DIAGNOSTIC_ADMINISTRATIVELY_DOWN},
		{Peer: "198.19.0.3", Local: "198.18.0.1", State: bfdpb.SessionState_SESSION_STATE_DOWN},
	}
}
