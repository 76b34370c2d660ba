package e2e

import (
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	cases := map[string]struct {
		reason string
		stat   string
		want   time.Duration
		err    bool
	}{
		"Plain": {
			reason: "utime and stime are fields 14 and 15, in clock ticks of 10ms.",
			stat:   "4242 (crossplane) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 130 0 0 20 0 12 0 100 0 0",
			want:   3800 * time.Millisecond,
		},
		"NameWithSpacesAndParens": {
			reason: "The command name may hold spaces and parentheses; fields count from its last ')'.",
			stat:   "7 (my (odd) proc) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 0",
			want:   30 * time.Millisecond,
		},
		"Truncated": {
			reason: "A line without the CPU fields is an error, not zero.",
			stat:   "7 (x) R 1 7",
			err:    true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseStatCPU(tc.stat)
			if (err != nil) != tc.err {
				t.Fatalf("%s\nparseStatCPU(): error %v, want error %t", tc.reason, err, tc.err)
			}
			if got != tc.want {
				t.Errorf("%s\nparseStatCPU() = %s, want %s", tc.reason, got, tc.want)
			}
		})
	}
}

func TestFromEnvironmentNamesWhatIsMissing(t *testing.T) {
	for _, v := range []string{EnvCLI, EnvEtcd, EnvKubeDir, EnvKwok, EnvCore, EnvCoreSource, EnvPackages, EnvRegistry, EnvVersion, EnvFunction, EnvProvider, EnvShared, EnvRBAC} {
		t.Setenv(v, "")
	}
	t.Setenv(EnvKwok, "/nonexistent/kwok")
	_, err := FromEnvironment()
	if err == nil {
		t.Fatal("FromEnvironment() succeeded with nothing set")
	}
	for _, want := range []string{EnvEtcd + " is not set", EnvKwok + ": stat /nonexistent/kwok", EnvVersion + " is not set", "make e2e"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("FromEnvironment() error %q does not say %q", err, want)
		}
	}
}
