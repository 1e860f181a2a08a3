// Command gobfd is the BFD daemon: it reads /etc/gobfd/gobfd.yml, runs the
// configured sessions (RFC 5880, 5881, 5883), reloads on SIGHUP, and on
// SIGTERM takes every session AdminDown before it exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/version"
)

func main() {
	path := flag.String("config", config.DefaultPath, "configuration file")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: gobfd [-config PATH] [-version]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *showVersion {
		fmt.Println(version.String("gobfd"))
		return
	}
	beginBurst() // ended by the daemon once every session is started
	cfg, err := config.Load(*path, nil)
	if err != nil {
		// Before anything touches the network (a bad file must not half-start).
		fmt.Fprintf(os.Stderr, "gobfd: %s: %v\n", *path, err)
		os.Exit(2)
	}
	d := newDaemon(*path, cfg)
	if err := d.run(context.Background()); err != nil {
		d.log.Error("gobfd stopped", "err", err)
		fmt.Fprintf(os.Stderr, "gobfd: %v\n", err)
		os.Exit(1)
	}
}
