package warehouse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "target", "warehouse.lock")
	first, err := AcquireLock(path, "etl build --select a")
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	cases := []struct {
		name    string
		command string
	}{
		{"another command", "etl run"},
		{"the same command", "etl build --select a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			second, err := AcquireLock(path, tc.command)
			var locked *LockedError
			if !errors.As(err, &locked) {
				second.Release()
				t.Fatalf("error = %v, want *LockedError", err)
			}
			h := locked.Holder
			if h.PID != os.Getpid() || h.Command != "etl build --select a" || h.Host != host || h.Since.IsZero() || locked.Path != path {
				t.Errorf("holder %+v path %s", h, locked.Path)
			}
			for _, want := range []string{fmt.Sprintf("pid %d", os.Getpid()), `"etl build --select a"`, path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
		})
	}

	t.Run("release then acquire again", func(t *testing.T) {
		if err := first.Release(); err != nil {
			t.Fatal(err)
		}
		again, err := AcquireLock(path, "etl run")
		if err != nil {
			t.Fatal(err)
		}
		defer again.Release()
		_, err = AcquireLock(path, "etl build")
		var locked *LockedError
		if !errors.As(err, &locked) || locked.Holder.Command != "etl run" {
			t.Errorf("error = %v, want the new holder named", err)
		}
	})
	t.Run("release is idempotent", func(t *testing.T) {
		if err := first.Release(); err != nil {
			t.Errorf("second release: %v", err)
		}
		var none *Lock
		if err := none.Release(); err != nil {
			t.Errorf("nil release: %v", err)
		}
	})
}

func TestLockedErrorWithoutHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warehouse.lock")
	l, err := AcquireLock(path, "etl build")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	// The holder's note is unreadable (e.g. caught while being written).
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = AcquireLock(path, "etl run")
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Holder.PID != 0 {
		t.Fatalf("error = %#v", err)
	}
	if want := "warehouse is locked by another run (lock file " + path + ")"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestReleaseClearsHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warehouse.lock")
	l, err := AcquireLock(path, "etl build")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `"command":"etl build"`) {
		t.Errorf("lock file while held: %q", data)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Errorf("lock file after release: %q", data)
	}
}

func TestAcquireLockBadPath(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := AcquireLock(filepath.Join(file, "warehouse.lock"), "etl build")
	var locked *LockedError
	if err == nil || errors.As(err, &locked) || !strings.HasPrefix(err.Error(), "lock: ") {
		t.Errorf("error = %v", err)
	}
}

// lockHolderEnv makes the test binary a helper process that holds a lock
// until its stdin closes.
const lockHolderEnv = "WAREHOUSE_TEST_LOCK_HOLDER"

func TestMain(m *testing.M) {
	if path := os.Getenv(lockHolderEnv); path != "" {
		l, err := AcquireLock(path, "helper process")
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLockAcrossProcesses: another process's lock names that process, and
// dies with it, so a crashed run leaves no stale lock.
func TestLockAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warehouse.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockHolderEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q", line)
	}

	_, err = AcquireLock(path, "etl build")
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Holder.PID != cmd.Process.Pid || locked.Holder.Command != "helper process" {
		t.Errorf("error = %v, want the helper (pid %d) named", err, cmd.Process.Pid)
	}

	// A kill, not a clean exit: the kernel must drop the lock.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	l, err := AcquireLock(path, "etl build")
	if err != nil {
		t.Fatalf("lock of a killed process is still held: %v", err)
	}
	l.Release()
}
