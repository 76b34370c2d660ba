package render

import (
	"os/exec"
	"syscall"
)

// functionProcAttr makes the kernel kill the function when the process that
// started it dies, so a test binary killed on timeout does not leave a
// function holding a port. Pdeathsig follows the starting OS thread, which
// the Go runtime keeps alive unless a goroutine locks and abandons it.
func functionProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// cliProcAttr puts the CLI in its own process group: the CLI runs the render
// engine as a child, and killing only the CLI on cancellation would leave
// the engine running until its own timeout.
func cliProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killCLI kills the CLI's whole process group (see cliProcAttr).
func killCLI(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
