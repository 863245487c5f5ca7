package dag

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestWalkSkipsOnlyDependents(t *testing.T) {
	// a <- b <- c, a <- d, e alone; b fails.
	g := build([][2]string{{"b", "a"}, {"c", "b"}, {"d", "a"}}, "e")
	var mu sync.Mutex
	var visited []string
	out := g.Walk(context.Background(), 2, func(ctx context.Context, id string) error {
		mu.Lock()
		visited = append(visited, id)
		mu.Unlock()
		if id == "b" {
			return errors.New("boom")
		}
		return nil
	})
	want := map[string]Status{"a": Done, "b": Failed, "c": Skipped, "d": Done, "e": Done}
	for id, st := range want {
		if out[id].Status != st {
			t.Errorf("%s: status %v, want %v", id, out[id].Status, st)
		}
	}
	if out["c"].Cause != "b" {
		t.Errorf("c skipped because of %q, want b", out["c"].Cause)
	}
	for _, v := range visited {
		if v == "c" {
			t.Error("c was visited after its dependency failed")
		}
	}
}

func TestWalkRespectsOrderAndLimit(t *testing.T) {
	g := New()
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		g.Connect(n, "root")
	}
	var running, peak int32
	var rootDone atomic.Bool
	out := g.Walk(context.Background(), 2, func(ctx context.Context, id string) error {
		if id != "root" && !rootDone.Load() {
			return errors.New("started before its dependency finished")
		}
		n := atomic.AddInt32(&running, 1)
		for {
			p := atomic.LoadInt32(&peak)
			if n <= p || atomic.CompareAndSwapInt32(&peak, p, n) {
				break
			}
		}
		atomic.AddInt32(&running, -1)
		if id == "root" {
			rootDone.Store(true)
		}
		return nil
	})
	for id, o := range out {
		if o.Status != Done {
			t.Errorf("%s: %v %v", id, o.Status, o.Err)
		}
	}
	if peak > 2 {
		t.Errorf("peak concurrency %d exceeds limit 2", peak)
	}
}

func TestWalkPanicBecomesError(t *testing.T) {
	g := build([][2]string{{"b", "a"}})
	out := g.Walk(context.Background(), 1, func(ctx context.Context, id string) error {
		if id == "a" {
			panic("bad")
		}
		return nil
	})
	if out["a"].Status != Failed || !strings.Contains(out["a"].Err.Error(), "panic in a: bad") {
		t.Fatalf("a: %+v", out["a"])
	}
	if out["b"].Status != Skipped {
		t.Fatalf("b: %+v", out["b"])
	}
}

func TestWalkCancelled(t *testing.T) {
	g := build([][2]string{{"b", "a"}})
	ctx, cancel := context.WithCancel(context.Background())
	out := g.Walk(ctx, 1, func(ctx context.Context, id string) error {
		cancel()
		return nil
	})
	if out["a"].Status != Done {
		t.Fatalf("a: %+v", out["a"])
	}
	if out["b"].Status != Failed || !errors.Is(out["b"].Err, context.Canceled) {
		t.Fatalf("b should fail with cancellation: %+v", out["b"])
	}
}
