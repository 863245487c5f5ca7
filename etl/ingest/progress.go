package ingest

// Progress is how far a load has come, counted in whole files: DuckDB
// reads the files itself, often all of a seed's files in one statement,
// so a file counts as loaded when the statement that read it returns.
type Progress struct {
	Files, TotalFiles int   // files loaded so far, of those this load reads
	Bytes, TotalBytes int64 // their sizes on disk
}

// tally reports a load's Progress to Options.Progress, if set.
type tally struct {
	fn func(Progress)
	p  Progress
}

// newTally reports the files to load, none of them loaded yet.
func newTally(fn func(Progress), load []*file) *tally {
	t := &tally{fn: fn}
	for _, f := range load {
		t.p.TotalFiles++
		t.p.TotalBytes += f.size
	}
	t.report()
	return t
}

// loaded counts files whose rows are in.
func (t *tally) loaded(files ...*file) {
	for _, f := range files {
		t.p.Files++
		t.p.Bytes += f.size
	}
	t.report()
}

func (t *tally) report() {
	if t.fn != nil {
		t.fn(t.p)
	}
}
