package discr

import (
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// RFC 5880 §6.8.1: bfd.LocalDiscr is non-zero and unique.
func TestUniqueNonZero(t *testing.T) {
	a := New()
	seen := make(map[uint32]bool)
	for i := 0; i < 100_000; i++ {
		d, err := a.Allocate()
		if err != nil {
			t.Fatal(err)
		}
		if d == 0 || seen[d] {
			t.Fatalf("allocation %d: %d (zero or duplicate)", i, d)
		}
		seen[d] = true
	}
	if a.InUse() != 100_000 {
		t.Fatal(a.InUse())
	}
}

func TestReserveRelease(t *testing.T) {
	a := New()
	if err := a.Reserve(0); err != ErrZero {
		t.Fatal(err)
	}
	if err := a.Reserve(42); err != nil {
		t.Fatal(err)
	}
	if err := a.Reserve(42); err != ErrInUse {
		t.Fatal(err)
	}
	a.Release(42)
	if err := a.Reserve(42); err != nil {
		t.Fatal("released value not reusable:", err)
	}
}

// Two allocators (two daemon starts) give different sequences: values are
// not predictable from a previous run.
func TestUnpredictable(t *testing.T) {
	a, b := New(), New()
	same := 0
	for i := 0; i < 100; i++ {
		x, _ := a.Allocate()
		y, _ := b.Allocate()
		if x == y {
			same++
		}
	}
	if same > 1 {
		t.Fatalf("%d of 100 equal", same)
	}
}

func TestConcurrent(t *testing.T) {
	a := New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := make(map[uint32]bool)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				d, err := a.Allocate()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[d] {
					t.Errorf("duplicate %d", d)
				}
				seen[d] = true
				mu.Unlock()
				if i%2 == 0 {
					mu.Lock()
					delete(seen, d)
					mu.Unlock()
					a.Release(d)
				}
			}
		}()
	}
	wg.Wait()
	if a.InUse() != len(seen) {
		t.Fatalf("InUse %d, held %d", a.InUse(), len(seen))
	}
}

func BenchmarkAllocate(b *testing.B) {
	a := New()
	b.ReportAllocs()
	for b.Loop() {
		d, _ := a.Allocate()
		a.Release(d)
	}
}
