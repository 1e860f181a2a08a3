package flightrec

import "testing"

// With GOGC=off the recorder collects once its garbage reaches the
// budget; with the collector on, or after a collection the runtime ran by
// itself, it leaves the collector alone.
func TestPacer(t *testing.T) {
	var off bool
	var allocs, cycles uint64
	gcs := 0
	p := &pacer{budget: 100,
		stats: func() (bool, uint64, uint64) { return off, allocs, cycles },
		gc:    func() { gcs++; cycles++ }}
	step := func(alloc uint64) bool { allocs += alloc; return p.tick() }

	p.tick()
	if step(500) || gcs != 0 {
		t.Fatal("collected with the collector on")
	}
	cycles++ // the runtime collected (GOGC=100)
	off = true
	p.tick()
	if step(60) || gcs != 0 {
		t.Fatal("collected below the budget")
	}
	if !step(60) || gcs != 1 {
		t.Fatal("no collection past the budget")
	}
	if step(60) || gcs != 1 {
		t.Fatal("the budget did not restart after the collection")
	}
	cycles++ // the runtime collected by itself (e.g. near GOMEMLIMIT)
	first := step(60)
	if second := step(60); first || second || gcs != 1 {
		t.Fatal("the budget did not restart after the runtime's collection")
	}
	if !step(60) || gcs != 2 {
		t.Fatal("no collection past the budget")
	}
}

// The real statistics read without allocating (the recorder's goroutine
// looks every second for the daemon's lifetime).
func TestRuntimeStatsDoNotAllocate(t *testing.T) {
	read := runtimeStats()
	if n := testing.AllocsPerRun(100, func() { read() }); n != 0 {
		t.Fatalf("%v allocs per read", n)
	}
}
