package sched

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// schedOther is SCHED_OTHER (0), which x/sys/unix does not name.
const schedOther = 0

// Policy is a scheduling class for a thread.
type Policy struct {
	Class    string // "" or "other", "fifo", "rr"
	Priority int    // 1..99 for fifo and rr
	Nice     int    // -20..19 for other
}

// Enabled reports whether applying p changes anything.
func (p Policy) Enabled() bool {
	return (p.Class != "" && p.Class != "other") || p.Nice != 0
}

// Validate checks p; key names the configuration key in errors.
func (p Policy) Validate() error {
	switch p.Class {
	case "", "other":
		if p.Priority != 0 {
			return fmt.Errorf("priority %d needs policy fifo or rr", p.Priority)
		}
		if p.Nice < -20 || p.Nice > 19 {
			return fmt.Errorf("nice %d is outside -20..19", p.Nice)
		}
	case "fifo", "rr":
		if p.Priority < 1 || p.Priority > 99 {
			return fmt.Errorf("priority %d is outside 1..99", p.Priority)
		}
		if p.Nice != 0 {
			return fmt.Errorf("nice applies to policy other only")
		}
	default:
		return fmt.Errorf("policy %q is not other, fifo or rr", p.Class)
	}
	return nil
}

// String is how the policy is logged.
func (p Policy) String() string {
	switch p.Class {
	case "fifo", "rr":
		return fmt.Sprintf("SCHED_%s priority %d", map[string]string{"fifo": "FIFO", "rr": "RR"}[p.Class], p.Priority)
	}
	return fmt.Sprintf("SCHED_OTHER nice %d", p.Nice)
}

// Apply locks the calling goroutine to its thread and gives that thread
// the policy. The goroutine stays locked even when setting the class
// fails (the error says why: EPERM without the capability or rlimit).
func (p Policy) Apply() error {
	if !p.Enabled() {
		return nil
	}
	runtime.LockOSThread()
	tid := unix.Gettid()
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr}
	switch p.Class {
	case "fifo":
		attr.Policy, attr.Priority = unix.SCHED_FIFO, uint32(p.Priority)
	case "rr":
		attr.Policy, attr.Priority = unix.SCHED_RR, uint32(p.Priority)
	default:
		attr.Policy, attr.Nice = schedOther, int32(p.Nice)
	}
	// SCHED_RESET_ON_FORK: a process this thread starts does not inherit
	// real-time priority.
	attr.Flags = unix.SCHED_FLAG_RESET_ON_FORK
	if err := unix.SchedSetAttr(tid, &attr, 0); err != nil {
		return fmt.Errorf("sched: %s on thread %d: %w", p, tid, err)
	}
	return nil
}

// Current returns the calling thread's class (for tests and logs).
func Current() (Policy, error) {
	a, err := unix.SchedGetAttr(unix.Gettid(), 0)
	if err != nil {
		return Policy{}, err
	}
	switch a.Policy {
	case unix.SCHED_FIFO:
		return Policy{Class: "fifo", Priority: int(a.Priority)}, nil
	case unix.SCHED_RR:
		return Policy{Class: "rr", Priority: int(a.Priority)}, nil
	}
	return Policy{Class: "other", Nice: int(a.Nice)}, nil
}
