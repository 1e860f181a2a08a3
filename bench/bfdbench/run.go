package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// sh runs a command and returns its output, failing loudly.
func sh(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "bfdbench: "+f+"\n", a...)
	cleanup()
	os.Exit(1)
}

var cleanups []func()

func atExit(f func()) { cleanups = append(cleanups, f) }

func cleanup() {
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanups = nil
}

// waitUntil polls cond every step until it holds or timeout passes.
func waitUntil(timeout, step time.Duration, cond func() bool) bool {
	end := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(step)
	}
	return true
}
