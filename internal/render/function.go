package render

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const (
	// A cold function binary on a busy two-core machine can take a few
	// seconds to listen; 20 s leaves room without hiding a function that
	// never will.
	startTimeout = 20 * time.Second
	pollInterval = 50 * time.Millisecond
	dialTimeout  = time.Second

	// stopGrace is how long a function gets to exit after SIGTERM before it
	// is killed.
	stopGrace = 5 * time.Second

	// startAttempts bounds retries when another process takes the free port
	// between FreePort closing it and the function binding it.
	startAttempts = 3

	// maxOutput keeps memory bounded when a function started with --debug
	// logs every request of a long benchmark; the tail is what explains a
	// failure.
	maxOutput = 1 << 20
)

// Function is a function binary running with --insecure on a loopback port,
// as the Development runtime of `crossplane composition render` expects.
type Function struct {
	bin  string
	addr string
	cmd  *exec.Cmd
	out  *tailBuffer

	done    chan struct{} // closed once the process has exited
	waitErr error         // the process's exit status; read only after done

	stopOnce sync.Once
	stopErr  error
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// port is released before returning, so another process can take it: callers
// must cope with that (StartFunction retries).
func FreePort() (int, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, errors.Wrap(err, "cannot find a free port on 127.0.0.1")
	}
	addr, ok := l.Addr().(*net.TCPAddr)
	if err := l.Close(); err != nil {
		return 0, errors.Wrap(err, "cannot release free port")
	}
	if !ok {
		return 0, errors.Errorf("cannot find a free port: listener address %v is not TCP", l.Addr())
	}
	return addr.Port, nil
}

// StartFunction starts bin with --insecure --address=127.0.0.1:PORT on a port
// that is free at run time, plus extraArgs (for example --debug), and returns
// once the function accepts TCP connections. It fails fast, with the
// function's own output, when the process exits first, and gives up after
// 20 s or when ctx is done. ctx bounds only the start: the function runs until
// Stop is called.
func StartFunction(ctx context.Context, bin string, extraArgs ...string) (*Function, error) {
	var err error
	for range startAttempts {
		var f *Function
		f, err = startFunction(ctx, bin, extraArgs)
		if err == nil {
			return f, nil
		}
		if f == nil || !strings.Contains(f.Output(), "address already in use") {
			return nil, err
		}
	}
	return nil, err
}

// startFunction returns the Function alongside a start error so that
// StartFunction can tell a lost port race from a broken binary.
func startFunction(ctx context.Context, bin string, extraArgs []string) (*Function, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))

	out := &tailBuffer{max: maxOutput}
	cmd := exec.Command(bin, append([]string{"--insecure", "--address=" + addr}, extraArgs...)...) //nolint:noctx // The function outlives ctx, which bounds only its start; Stop ends it.
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = functionProcAttr()
	// A function that leaks its output pipes to a child would otherwise keep
	// Wait (and so Stop) blocked forever.
	cmd.WaitDelay = stopGrace
	if err := cmd.Start(); err != nil {
		return nil, errors.Wrapf(err, "cannot start function %s", bin)
	}

	f := &Function{bin: bin, addr: addr, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		f.waitErr = cmd.Wait()
		close(f.done)
	}()

	if err := f.waitListening(ctx); err != nil {
		_ = f.Stop()
		return f, err
	}
	return f, nil
}

func (f *Function) waitListening(ctx context.Context) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if err := dial(ctx, f.addr); err == nil {
			// Something listens, but it is only ours if our process is
			// still alive: it may have lost the port to the listener we hit.
			select {
			case <-f.done:
			default:
				return nil
			}
		}
		select {
		case <-f.done:
			return errors.Errorf("function %s exited before it listened on %s (%v)%s", f.bin, f.addr, f.waitErr, indent(f.Output()))
		case <-ctx.Done():
			return errors.Errorf("function %s did not listen on %s within %s (%v)%s", f.bin, f.addr, time.Since(start).Round(time.Millisecond), ctx.Err(), indent(f.Output()))
		case <-tick.C:
		}
	}
}

// Address is where the function listens, as host:port.
func (f *Function) Address() string { return f.addr }

// PID is the function's process ID, for fnbench -pid and /proc readings.
func (f *Function) PID() int { return f.cmd.Process.Pid }

// Output is what the function wrote to stdout and stderr so far (at most the
// last MiB).
func (f *Function) Output() string { return f.out.String() }

// Done is closed when the function process has exited, for whatever reason.
func (f *Function) Done() <-chan struct{} { return f.done }

// Stop ends the function: SIGTERM, then SIGKILL after 5 s, and waits for it.
// It is safe to call more than once and from several goroutines. It returns an
// error only when the function had already exited on its own before the
// first Stop, because then whatever used it saw a crash.
func (f *Function) Stop() error {
	f.stopOnce.Do(func() {
		select {
		case <-f.done:
			f.stopErr = errors.Errorf("function %s exited on its own (%v)%s", f.bin, f.waitErr, indent(f.Output()))
			return
		default:
		}
		_ = f.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-f.done:
		case <-time.After(stopGrace):
			_ = f.cmd.Process.Kill()
			<-f.done
		}
	})
	return f.stopErr
}

func dial(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: dialTimeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// indent formats a process's output for the end of an error message.
func indent(out string) string {
	out = strings.TrimSpace(out)
	if out == "" {
		return "; it printed nothing"
	}
	return "; its output:\n\t" + strings.ReplaceAll(out, "\n", "\n\t")
}

// tailBuffer is an io.Writer that keeps the last max bytes written and can be
// read while the process is still writing.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
