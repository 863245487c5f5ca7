package report

import (
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Live is the console reporter for a terminal: the dbt-style lines of Text,
// and below them a line per running node (a seed's files and bytes loaded,
// the time it has run) and a bar of the nodes done. A node's line goes when
// it finishes, its Text line printed above the bars, and Finish removes
// every bar before the closing lines: what stays on the screen is exactly
// what Text prints.
type Live struct {
	text *Text
	w    io.Writer
	rate time.Duration
	// lines is how many node lines are drawn at most, the longest running
	// first: mpb miscounts its rows when they outgrow the terminal.
	lines int

	mu   sync.Mutex
	bars *mpb.Progress // nil before Start and after Close
	// total lives from Start to Close, so Close always ends a bar: mpb
	// redraws when the last bar ends, printing the lines written since
	// the last redraw, and erases the bars when it shuts down.
	total   *mpb.Bar
	running []*liveNode // in the order they started
	// shown counts node lines on the screen, those of finished nodes
	// until mpb has drawn them for the last time.
	shown    int
	nRunning atomic.Int64
}

// liveNode is a running node. Its line's decorators run on mpb's
// goroutines, so what they read is atomic.
type liveNode struct {
	id, label string
	seed      bool
	started   time.Time
	bar       *mpb.Bar // nil while the node waits for a line
	progress  atomic.Pointer[Progress]
}

const (
	liveRate  = 150 * time.Millisecond
	liveLines = 8
	fillWidth = 24
)

// NewLive returns a live reporter drawing on w, which the caller has found
// to be a terminal (or wants drawn on anyway): it writes escape codes.
func NewLive(w io.Writer) *Live {
	l := &Live{w: w, rate: liveRate, lines: liveLines}
	l.text = NewText(liveWriter{l})
	return l
}

// liveWriter sends Text's lines above the bars while they are drawn, and
// straight to the output before and after.
type liveWriter struct{ l *Live }

func (lw liveWriter) Write(b []byte) (int, error) {
	lw.l.mu.Lock()
	bars := lw.l.bars
	lw.l.mu.Unlock()
	if bars != nil {
		return bars.Write(b)
	}
	return lw.l.w.Write(b)
}

// Start prints the opening lines and starts drawing.
func (l *Live) Start(r Run) {
	l.text.Start(r)
	total := 0
	for _, n := range r.Counts {
		total += n
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bars != nil {
		return
	}
	l.bars = mpb.New(mpb.WithOutput(l.w), mpb.ForceTTY(), mpb.WithAutoRefresh(), mpb.WithRefreshRate(l.rate))
	// Created with no total, a bar never completes on its own: each ends
	// when it is aborted, which also removes it.
	l.total = l.bars.New(0, mpb.BarStyle(), mpb.BarWidth(fillWidth), mpb.BarPriority(math.MaxInt32),
		mpb.PrependDecorators(decor.Name("etl "+r.Command, decor.WC{C: decor.DSyncSpaceR})),
		mpb.AppendDecorators(decor.Any(func(s decor.Statistics) string {
			return fmt.Sprintf("%d of %d nodes, %d running", s.Current, s.Total, l.nRunning.Load())
		}), elapsed(r.StartedAt)))
	l.total.SetTotal(int64(total), false)
}

// Info prints a message above the bars.
func (l *Live) Info(msg string) { l.text.Info(msg) }

// NodeStart gives the node a line, or a place in the queue for one.
func (l *Live) NodeStart(r NodeResult) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bars == nil {
		return
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Now()
	}
	l.running = append(l.running, &liveNode{id: r.UniqueID, label: r.Label, seed: r.Kind == "seed", started: r.StartedAt})
	l.nRunning.Store(int64(len(l.running)))
	l.show()
}

// show draws the lines of the longest running nodes without one, while
// there is room; the caller holds l.mu.
func (l *Live) show() {
	for _, n := range l.running {
		if l.bars == nil || l.shown >= l.lines {
			return
		}
		if n.bar != nil {
			continue
		}
		var fill mpb.BarFillerBuilder = mpb.SpinnerStyle().PositionLeft()
		if n.seed {
			fill = mpb.BarStyle()
		}
		n.bar = l.bars.New(0, fill, mpb.BarWidth(fillWidth),
			mpb.PrependDecorators(decor.Name(n.label, decor.WC{C: decor.DSyncSpaceR})),
			mpb.AppendDecorators(decor.Any(n.detail), elapsed(n.started)))
		l.shown++
		if p := n.progress.Load(); p != nil {
			n.bar.SetTotal(p.TotalBytes, false)
			n.bar.SetCurrent(p.Bytes)
		}
	}
}

// NodeProgress updates a running seed's line.
func (l *Live) NodeProgress(id string, p Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.running {
		if n.id != id {
			continue
		}
		n.progress.Store(&p)
		if n.bar != nil {
			n.bar.SetTotal(p.TotalBytes, false)
			n.bar.SetCurrent(p.Bytes)
		}
		return
	}
}

// detail is what a node's line says besides its label and time.
func (n *liveNode) detail(decor.Statistics) string {
	if !n.seed {
		return ""
	}
	p := n.progress.Load()
	switch {
	case p == nil:
		return "checking files"
	case p.TotalFiles == 0:
		return "no new files"
	}
	return fmt.Sprintf("%d of %d files, %s of %s", p.Files, p.TotalFiles, size(p.Bytes), size(p.TotalBytes))
}

// size is a byte count for people: 512 B, 2.0 KiB, 25.3 GiB.
func size(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, 0
	for v >= 1024 && unit < 4 {
		v, unit = v/1024, unit+1
	}
	return fmt.Sprintf("%.1f %s", v, []string{"KiB", "MiB", "GiB", "TiB", "PiB"}[unit])
}

// elapsed shows the time since start in whole seconds, as of each redraw.
func elapsed(start time.Time) decor.Decorator {
	if start.IsZero() {
		start = time.Now()
	}
	return decor.Any(func(decor.Statistics) string {
		return time.Since(start).Truncate(time.Second).String()
	}, decor.WC{C: decor.DextraSpace})
}

// NodeDone prints the node's line above the bars and removes its bar. The
// bar keeps its room until mpb has drawn it once more (it draws every bar
// at least once), and then a waiting node takes it.
func (l *Live) NodeDone(index, total int, r NodeResult) {
	l.text.NodeDone(index, total, r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bars == nil {
		return
	}
	for i, n := range l.running {
		if n.id != r.UniqueID {
			continue
		}
		l.running = append(l.running[:i], l.running[i+1:]...)
		l.nRunning.Store(int64(len(l.running)))
		if n.bar != nil {
			n.bar.Abort(true)
			go l.free(n.bar)
		}
		break
	}
	l.total.SetTotal(int64(total), false)
	l.total.Increment()
}

// free gives an ended bar's room to a waiting node once mpb is done with it.
func (l *Live) free(bar *mpb.Bar) {
	bar.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.shown--
	l.show()
}

// Finish removes the bars and prints the closing lines.
func (l *Live) Finish(s Summary) {
	l.Close()
	l.text.Finish(s)
}

// Close removes the bars and stops drawing, leaving the cursor below the
// last line printed. Finish does it; a caller whose run ended before
// Finish calls it. It is safe to call more than once.
func (l *Live) Close() {
	l.mu.Lock()
	bars, total, running := l.bars, l.total, l.running
	l.bars, l.total, l.running = nil, nil, nil
	l.mu.Unlock()
	if bars == nil {
		return
	}
	for _, n := range running {
		if n.bar != nil {
			n.bar.Abort(true)
		}
	}
	total.Abort(true)
	bars.Wait()
}
