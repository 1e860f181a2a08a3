package healthcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Path is the Connect route of grpc.health.v1.Health/Check.
const Path = "/grpc.health.v1.Health/Check"

// Serving is the status of a daemon that is up (grpc.health.v1
// HealthCheckResponse.ServingStatus).
const Serving = "SERVING"

// UnreachableError is returned when nothing accepts a connection on the
// address: no daemon runs there.
type UnreachableError struct {
	Addr string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("nothing answers at %s: %v", e.Addr, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Check calls Health/Check (service "": the whole daemon) on addr
// (host:port, the daemon's grpc.addr) and returns the serving status:
// "SERVING", "NOT_SERVING", "UNKNOWN" or "SERVICE_UNKNOWN". The daemon
// speaks HTTP/2 without TLS; Check tries that first (prior knowledge) and
// HTTP/1.1 after it, which Connect servers accept as well.
func Check(ctx context.Context, addr string) (string, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", fmt.Errorf("%q is not host:port (e.g. \"127.0.0.1:50051\")", addr)
	}
	st, err := checkWith(ctx, addr, true)
	var unreachable *UnreachableError
	if err == nil || errors.As(err, &unreachable) || ctx.Err() != nil {
		return st, err
	}
	// Something listens but did not speak HTTP/2 with prior knowledge.
	if st, err1 := checkWith(ctx, addr, false); err1 == nil {
		return st, nil
	}
	return "", err
}

// checkWith makes one call with HTTP/2 (h2c) or HTTP/1.1.
func checkWith(ctx context.Context, addr string, h2c bool) (string, error) {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	if h2c {
		tr.Protocols.SetUnencryptedHTTP2(true)
	} else {
		tr.Protocols.SetHTTP1(true)
	}
	defer tr.CloseIdleConnections()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+Path, strings.NewReader("{}"))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return "", &UnreachableError{Addr: addr, Err: op.Err}
		}
		return "", fmt.Errorf("health check at %s: %w", addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("health check at %s: %w", addr, err)
	}
	return parse(resp.StatusCode, body)
}

// parse reads a Connect unary response: 200 with a HealthCheckResponse in
// JSON, or an error status with a Connect error body.
func parse(code int, body []byte) (string, error) {
	if code != http.StatusOK {
		var e struct{ Code, Message string }
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return "", fmt.Errorf("health check failed: %s: %s", e.Code, e.Message)
		}
		return "", fmt.Errorf("health check failed: HTTP %d: %s", code, bytes.TrimSpace(body[:min(len(body), 200)]))
	}
	var r struct {
		Status json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("health check: the answer is not a HealthCheckResponse: %v", err)
	}
	return status(r.Status)
}

// statuses are the HealthCheckResponse.ServingStatus values by number.
var statuses = [...]string{"UNKNOWN", Serving, "NOT_SERVING", "SERVICE_UNKNOWN"}

// status reads the ServingStatus of a JSON answer. Proto3 JSON writes an
// enum by name and leaves out the zero value; connectrpc.com/grpchealth
// names the values SERVING_STATUS_SERVING etc. (its copy of the proto
// prefixes them), grpc-go SERVING etc.; a number is valid input too.
func status(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return statuses[0], nil
	}
	var name string
	if json.Unmarshal(raw, &name) == nil {
		return strings.TrimPrefix(name, "SERVING_STATUS_"), nil
	}
	var n int
	if json.Unmarshal(raw, &n) == nil && n >= 0 && n < len(statuses) {
		return statuses[n], nil
	}
	return "", fmt.Errorf("health check: status %s is not a ServingStatus", raw)
}
