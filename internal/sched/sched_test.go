package sched

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestValidate(t *testing.T) {
	for _, p := range []Policy{{}, {Class: "other", Nice: -5}, {Class: "fifo", Priority: 10}, {Class: "rr", Priority: 99}} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	for _, p := range []Policy{{Class: "fifo"}, {Class: "fifo", Priority: 100}, {Class: "other", Priority: 3},
		{Class: "other", Nice: 20}, {Class: "idle"}, {Class: "rr", Priority: 5, Nice: 1}} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: accepted", p)
		}
	}
}

// Apply changes the calling thread only; other threads keep their class.
func TestApplyThreadOnly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting SCHED_FIFO needs root (CAP_SYS_NICE)")
	}
	done := make(chan error)
	go func() {
		p := Policy{Class: "fifo", Priority: 5}
		if err := p.Apply(); err != nil {
			done <- err
			return
		}
		defer runtime.UnlockOSThread()
		got, err := Current()
		if err == nil && got != p {
			err = errors.New("thread class is " + got.String())
		}
		// Back to normal before the thread returns to the runtime.
		unix.SchedSetAttr(0, &unix.SchedAttr{Size: unix.SizeofSchedAttr}, 0)
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if got, err := Current(); err != nil || got.Class != "other" {
		t.Errorf("this thread: %v %v", got, err)
	}
}
