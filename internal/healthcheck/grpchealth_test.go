package healthcheck

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/grpchealth"
)

// Against the health handler the daemon serves (connectrpc.com/grpchealth,
// internal/server), over HTTP/2 without TLS as the daemon listens.
func TestConnectGRPCHealth(t *testing.T) {
	checker := grpchealth.NewStaticChecker()
	mux := http.NewServeMux()
	mux.Handle(grpchealth.NewHandler(checker))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	if st, err := check(t, addr); err != nil || st != Serving {
		t.Fatalf("serving: %q, %v", st, err)
	}
	checker.SetStatus("", grpchealth.StatusNotServing)
	if st, err := check(t, addr); err != nil || st != "NOT_SERVING" {
		t.Fatalf("not serving: %q, %v", st, err)
	}
}
