package main

import (
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Pauses is what a thread of bfdbench that does nothing but sleep 2 ms at
// a time saw during the hold: wake-ups late by 10 ms or more. On an
// otherwise idle machine such a gap is the machine itself stopping (a
// virtual machine paused by its hypervisor, which the guest's steal time
// need not show); every daemon under test stopped with it.
type Pauses struct {
	Over10ms  int     `json:"over_10ms"`
	Over25ms  int     `json:"over_25ms"`
	LongestMs float64 `json:"longest_ms"`
}

type pauseWatch struct {
	mu   sync.Mutex
	p    Pauses
	stop chan struct{}
	done chan struct{}
}

func watchPauses() *pauseWatch {
	w := &pauseWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		runtime.LockOSThread()
		unix.Prctl(unix.PR_SET_TIMERSLACK, 1000, 0, 0, 0)
		const nap = 2 * time.Millisecond
		ts := unix.NsecToTimespec(int64(nap))
		for {
			select {
			case <-w.stop:
				return
			default:
			}
			t0 := time.Now()
			unix.Nanosleep(&ts, nil)
			late := time.Since(t0) - nap
			if late < 10*time.Millisecond {
				continue
			}
			w.mu.Lock()
			w.p.Over10ms++
			if late >= 25*time.Millisecond {
				w.p.Over25ms++
			}
			w.p.LongestMs = max(w.p.LongestMs, float64(late)/1e6)
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *pauseWatch) finish() *Pauses {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.p
	return &p
}
