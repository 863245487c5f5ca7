package dag

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
)

// Status of a node after a walk.
type Status int

const (
	Pending Status = iota
	Done
	Failed
	Skipped
)

// Outcome is what happened to one node.
type Outcome struct {
	Status Status
	Err    error
	// Cause names the failed node that made this one skip.
	Cause string
}

// Visit runs one node. Its error marks the node failed, and every node that
// depends on it is skipped without being visited.
type Visit func(ctx context.Context, id string) error

// Walk visits every node after its dependencies, at most limit at a time.
// A cancelled context stops new visits: the nodes not yet started are
// skipped. A panic in a visit becomes that node's error.
func (g *Graph) Walk(ctx context.Context, limit int, visit Visit) map[string]Outcome {
	if limit < 1 {
		limit = 1
	}
	w := &walker{g: g, visit: visit, out: map[string]Outcome{}, waiting: map[string]int{}, sem: make(chan struct{}, limit)}
	for _, n := range g.nodes {
		w.waiting[n] = len(g.deps[n])
	}
	w.mu.Lock()
	for _, n := range w.sortedReady() {
		w.start(ctx, n)
	}
	w.mu.Unlock()
	w.wg.Wait()
	return w.out
}

type walker struct {
	g       *Graph
	visit   Visit
	mu      sync.Mutex
	wg      sync.WaitGroup
	out     map[string]Outcome
	waiting map[string]int
	sem     chan struct{}
}

func (w *walker) sortedReady() []string {
	var ready []string
	for n, c := range w.waiting {
		if c == 0 {
			ready = append(ready, n)
		}
	}
	sort.Strings(ready)
	return ready
}

// start launches n; the caller holds w.mu.
func (w *walker) start(ctx context.Context, n string) {
	w.waiting[n] = -1
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		err := w.run(ctx, n)
		w.mu.Lock()
		defer w.mu.Unlock()
		if err != nil {
			w.out[n] = Outcome{Status: Failed, Err: err}
			w.skipUsers(n, n)
		} else {
			w.out[n] = Outcome{Status: Done}
		}
		w.release(ctx, n)
	}()
}

func (w *walker) run(ctx context.Context, n string) (err error) {
	select {
	case w.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-w.sem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in %s: %v\n%s", n, r, debug.Stack())
		}
	}()
	return w.visit(ctx, n)
}

// skipUsers marks everything downstream of a failure as skipped.
func (w *walker) skipUsers(n, cause string) {
	for u := range w.g.Descendants(n) {
		if _, done := w.out[u]; !done {
			w.out[u] = Outcome{Status: Skipped, Cause: cause}
			w.waiting[u] = -1
		}
	}
}

// release starts the users of n whose dependencies are now all finished.
func (w *walker) release(ctx context.Context, n string) {
	var ready []string
	for _, u := range w.g.Users(n) {
		if w.waiting[u] <= 0 {
			continue
		}
		w.waiting[u]--
		if w.waiting[u] == 0 {
			ready = append(ready, u)
		}
	}
	sort.Strings(ready)
	for _, u := range ready {
		w.start(ctx, u)
	}
}
