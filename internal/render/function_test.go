package render

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStartFunction(t *testing.T) {
	type want struct {
		err      bool
		mentions []string
	}
	cases := map[string]struct {
		reason  string
		mode    string
		bin     string
		timeout time.Duration
		want    want
	}{
		"Serves": {
			reason: "A function that listens should be returned once it accepts connections.",
			mode:   helperServe,
		},
		"ExitsImmediately": {
			reason: "A function that exits before listening should fail fast with its own output.",
			mode:   helperExit,
			want:   want{err: true, mentions: []string{"exited before it listened", "exit status 3", "helper: refusing to serve on 127.0.0.1:"}},
		},
		"NeverListens": {
			reason:  "A function that never listens should fail when the context ends, with its output.",
			mode:    helperDeaf,
			timeout: time.Second,
			want:    want{err: true, mentions: []string{"did not listen on 127.0.0.1:", "helper: deaf on purpose"}},
		},
		"NoSuchBinary": {
			reason: "A missing binary should say it could not be started.",
			bin:    "/nonexistent/function-xapp",
			want:   want{err: true, mentions: []string{"cannot start function /nonexistent/function-xapp"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			start := time.Now()
			var f *Function
			var err error
			if tc.bin != "" {
				f, err = StartFunction(ctx, tc.bin)
			} else {
				f, err = startHelper(ctx, t, tc.mode)
			}
			if diff := cmp.Diff(tc.want.err, err != nil); diff != "" {
				t.Fatalf("\n%s\nStartFunction(...): -want error, +got error:\n%s\nerror: %v", tc.reason, diff, err)
			}
			for _, m := range tc.want.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("\n%s\nStartFunction(...): error does not mention %q:\n%v", tc.reason, m, err)
				}
			}
			// Failing fast is the point: the start timeout is 20 s.
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Errorf("\n%s\nStartFunction(...): took %s", tc.reason, elapsed)
			}
			if err != nil {
				if f != nil {
					t.Errorf("\n%s\nStartFunction(...): returned a Function with an error", tc.reason)
				}
				return
			}
			if err := dial(t.Context(), f.Address()); err != nil {
				t.Errorf("\n%s\ndial(%s): %v", tc.reason, f.Address(), err)
			}
		})
	}
}

func TestFunctionStop(t *testing.T) {
	f, err := startHelper(t.Context(), t, helperServe)
	if err != nil {
		t.Fatal(err)
	}
	pid, addr := f.PID(), f.Address()

	for i := range 2 {
		if err := f.Stop(); err != nil {
			t.Errorf("Stop() #%d: want nil error for a function that was running, got %v", i+1, err)
		}
	}
	select {
	case <-f.Done():
	default:
		t.Error("Stop(): returned before the process exited")
	}
	// Wait has reaped it, so the PID no longer names our process.
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("Stop(): process %d still exists", pid)
	}
	if err := dial(t.Context(), addr); err == nil {
		t.Errorf("Stop(): something still listens on %s", addr)
	}
}

func TestFunctionStopAfterCrash(t *testing.T) {
	f, err := startHelper(t.Context(), t, helperCrash)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-f.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("helper did not crash")
	}
	err = f.Stop()
	if err == nil || !strings.Contains(err.Error(), "exited on its own (exit status 4)") || !strings.Contains(err.Error(), "helper: crashing") {
		t.Errorf("Stop(): want an error saying the function crashed, with its output, got %v", err)
	}
	if err2 := f.Stop(); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Stop() again: want the same error, got %v", err2)
	}
}

func TestFreePort(t *testing.T) {
	p, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if p <= 0 || p > 65535 {
		t.Fatalf("FreePort(): got %d", p)
	}
	// The port must really be free again for the function to bind it.
	if err := dial(t.Context(), "127.0.0.1:"+strconv.Itoa(p)); err == nil {
		t.Errorf("FreePort(): %d is still listening", p)
	}
}

func TestTailBuffer(t *testing.T) {
	cases := map[string]struct {
		reason string
		writes []string
		want   string
	}{
		"UnderLimit": {
			reason: "Output under the limit should be kept whole.",
			writes: []string{"ab", "cd"},
			want:   "abcd",
		},
		"OverLimit": {
			reason: "Only the tail should be kept once the limit is exceeded.",
			writes: []string{"abcd", "efgh", "ij"},
			want:   "cdefghij",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := &tailBuffer{max: 8}
			for _, w := range tc.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("\n%s\nString(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
