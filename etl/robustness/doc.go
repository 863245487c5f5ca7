// Package robustness is the runner's robustness suite, run by make test:
// a corpus of broken and hostile landing files (each a golden case: exit
// code, file:line message, rows loaded or rejected, outputs untouched),
// real etl processes killed with SIGKILL at random points and the run
// after them, and a disk that fills up during an export. It has no code of
// its own: everything is in its tests, which drive the real command line.
package robustness
