package healthcheck

import (
	"context"
	"errors"
	"fmt"
)

// RequireServing checks the daemon at addr and returns nil when it is
// SERVING. Otherwise the error is one line for an operator: what is wrong
// and, when nothing answers, how to start gobfd.
func RequireServing(ctx context.Context, addr string) error {
	st, err := Check(ctx, addr)
	var unreachable *UnreachableError
	switch {
	case errors.As(err, &unreachable):
		return fmt.Errorf("no gobfd daemon answers at %s (%v): start it with \"systemctl start gobfd\" "+
			"(or \"gobfd -config /etc/gobfd/gobfd.yml\"), or point -addr at its grpc.addr", addr, unreachable.Err)
	case err != nil:
		return fmt.Errorf("the gobfd daemon at %s did not pass its health check: %w", addr, err)
	case st != Serving:
		return fmt.Errorf("the gobfd daemon at %s is %s, not SERVING", addr, st)
	}
	return nil
}
