package main

import (
	"go.uber.org/goleak"

	"bytes"
	"strings"
	"testing"
)

// A flush writes whole records only, so another logger's line can never
// land inside one (the bug: a 64 KiB bufio flush split a line and the
// "ready" line was written into its middle).
func TestLineBufferKeepsLinesWhole(t *testing.T) {
	var out bytes.Buffer
	var writes []string
	w := writerFunc(func(p []byte) { writes = append(writes, string(p)); out.Write(p) })
	b := &lineBuffer{w: w, max: 50}
	for _, l := range []string{"aaaaaaaaaaaaaaaaaaaa\n", "bbbbbbbbbbbbbbbbbbbb\n", "cccccccccccccccccccc\n"} {
		b.Write([]byte(l))
	}
	b.Flush()
	for _, wr := range writes {
		if !strings.HasSuffix(wr, "\n") {
			t.Errorf("a write ends mid-line: %q", wr)
		}
	}
	if got := strings.Count(out.String(), "\n"); got != 3 || len(writes) != 2 {
		t.Errorf("%d lines in %d writes: %q", got, len(writes), writes)
	}
}

func TestEventQueue(t *testing.T) {
	if eventQueue(10) != 4096 || eventQueue(50000) != 51024 || eventQueue(1<<20) != 1<<17 {
		t.Error(eventQueue(10), eventQueue(50000), eventQueue(1<<20))
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
