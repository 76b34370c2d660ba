package render

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBinaries(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	notExec := filepath.Join(dir, "crossplane")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	all := map[string]string{EnvCLI: self, EnvCore: self, EnvFunction: self, EnvShared: dir}
	with := func(k, v string) map[string]string {
		m := maps.Clone(all)
		m[k] = v
		return m
	}

	type want struct {
		env Env
		err []string // substrings of the error; nil means no error
	}
	cases := map[string]struct {
		reason string
		vars   map[string]string
		want   want
	}{
		"AllSet": {
			reason: "Paths that exist should be returned.",
			vars:   all,
			want:   want{env: Env{CLI: self, Core: self, Function: self, Shared: dir}},
		},
		"NoneSet": {
			reason: "Running plain `go test` should say to use make test and name every variable.",
			vars:   map[string]string{EnvCLI: "", EnvCore: "", EnvFunction: "", EnvShared: ""},
			want: want{err: []string{
				"XAPP_CROSSPLANE is not set", "XAPP_CROSSPLANE_CORE is not set", "XAPP_FUNCTION_BIN is not set", "XAPP_SHARED is not set", "make test",
			}},
		},
		"FunctionNotBuilt": {
			reason: "A path that does not exist (say, the function was never built) should be named.",
			vars:   with(EnvFunction, filepath.Join(dir, "function-xapp")),
			want:   want{err: []string{"XAPP_FUNCTION_BIN=" + filepath.Join(dir, "function-xapp"), "no such file", "make test"}},
		},
		"NotExecutable": {
			reason: "A binary that cannot be run should be named.",
			vars:   with(EnvCLI, notExec),
			want:   want{err: []string{"XAPP_CROSSPLANE=" + notExec + " is not an executable file"}},
		},
		"SharedNotADirectory": {
			reason: "../shared must be a directory.",
			vars:   with(EnvShared, self),
			want:   want{err: []string{"XAPP_SHARED=" + self + " is not a directory"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.vars {
				t.Setenv(k, v)
			}
			got, err := Binaries()
			if diff := cmp.Diff(tc.want.err != nil, err != nil); diff != "" {
				t.Fatalf("\n%s\nBinaries(): -want error, +got error:\n%s\nerror: %v", tc.reason, diff, err)
			}
			for _, m := range tc.want.err {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("\n%s\nBinaries(): error does not mention %q:\n%v", tc.reason, m, err)
				}
			}
			if diff := cmp.Diff(tc.want.env, got); diff != "" {
				t.Errorf("\n%s\nBinaries(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
