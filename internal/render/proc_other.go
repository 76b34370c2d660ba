//go:build !linux

package render

import (
	"os/exec"
	"syscall"
)

func functionProcAttr() *syscall.SysProcAttr { return nil }

func cliProcAttr() *syscall.SysProcAttr { return nil }

func killCLI(cmd *exec.Cmd) error { return cmd.Process.Kill() }
