package discr

import (
	crand "crypto/rand"
	"errors"
	"math/rand/v2"
	"sync"
)

// Errors of the allocator.
var (
	ErrExhausted = errors.New("discr: no free discriminator found")
	ErrZero      = errors.New("discr: discriminator 0 is reserved (RFC 5880 §6.8.1)")
	ErrInUse     = errors.New("discr: discriminator already in use")
)

// maxTries bounds the search for a free value. With fewer than half of the
// 2^32-1 values held, 64 random draws all colliding has probability < 2^-64.
const maxTries = 64

// Allocator hands out discriminators.
type Allocator struct {
	mu   sync.Mutex
	rng  *rand.Rand
	used map[uint32]struct{}
}

// New returns an allocator seeded from crypto/rand.
func New() *Allocator {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic("discr: crypto/rand: " + err.Error()) // crypto/rand does not fail on Linux
	}
	return &Allocator{rng: rand.New(rand.NewChaCha8(seed)), used: make(map[uint32]struct{})}
}

// Allocate returns a discriminator that is non-zero and not held by anyone.
func (a *Allocator) Allocate() (uint32, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range maxTries {
		d := a.rng.Uint32()
		if d == 0 {
			continue
		}
		if _, held := a.used[d]; held {
			continue
		}
		a.used[d] = struct{}{}
		return d, nil
	}
	return 0, ErrExhausted
}

// Reserve marks a known discriminator as held, e.g. to keep a session's
// value across a reload.
func (a *Allocator) Reserve(d uint32) error {
	if d == 0 {
		return ErrZero
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, held := a.used[d]; held {
		return ErrInUse
	}
	a.used[d] = struct{}{}
	return nil
}

// Release returns d to the pool once its session is gone.
func (a *Allocator) Release(d uint32) {
	a.mu.Lock()
	delete(a.used, d)
	a.mu.Unlock()
}

// InUse returns how many discriminators are held.
func (a *Allocator) InUse() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.used)
}
