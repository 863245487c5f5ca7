package ingest

import (
	"fmt"
	"os"
	"testing"
)

// TestProgress: a load announces the files it reads, none of them loaded,
// then counts each read's files as its statement returns; an unchanged
// seed has nothing to read.
func TestProgress(t *testing.T) {
	db := newDB(t)
	exec(t, db, invoicesDDL)
	dir := t.TempDir()
	// Two headers make two reads, so the load has a step between none and all.
	a := writeFile(t, dir, "landing/a.csv", invHeader+"a1,x,m,1\na2,x,m,2\n")
	b := writeFile(t, dir, "landing/b.csv", "account,customer,month,invoice\nx,b1,m,1\n")
	sa, sb := fileSize(t, a), fileSize(t, b)
	var got []string
	opts := Options{Dir: dir, Progress: func(p Progress) {
		got = append(got, fmt.Sprintf("%d/%d files %d/%d bytes", p.Files, p.TotalFiles, p.Bytes, p.TotalBytes))
	}}
	mustLoad(t, db, invSeed(), opts)
	equal(t, "first load", got, []string{
		fmt.Sprintf("0/2 files 0/%d bytes", sa+sb),
		fmt.Sprintf("1/2 files %d/%d bytes", sa, sa+sb),
		fmt.Sprintf("2/2 files %d/%d bytes", sa+sb, sa+sb),
	})
	got = nil
	mustLoad(t, db, invSeed(), opts)
	equal(t, "unchanged", got, []string{"0/0 files 0/0 bytes"})
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}
