package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK          = 0
	exitRefused     = 1 // the daemon answered with an error
	exitUsage       = 2 // bad command line
	exitUnreachable = 3 // no daemon at --addr
)

func main() {
	// Ctrl-C ends a monitor cleanly (exit status 0).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns its exit code; errors are
// printed as one line on stderr.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := defaultGlobals()
	g.out, g.errOut = stdout, stderr
	root := newRoot(g)
	root.SetIn(stdin)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	msg, code := explain(err, g)
	fmt.Fprintln(stderr, "gobfdctl: "+msg)
	return code
}
