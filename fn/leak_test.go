package fn

import (
	"context"
	"runtime"
	"testing"

	"github.com/crossplane/function-sdk-go/logging"
)

// A served function answers for weeks: whatever one request composes must be garbage once its
// response is. Encoder slabs shared between calls once kept every response alive (about 13 KB a
// request, 1.8 GB after 30,000), which only a long run shows.
func TestRunFunctionKeepsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs RunFunction 1,500 times")
	}
	req := request(t, "testdata/bench/typical-xr.yaml", "../package/configuration/composition-xapp.yaml", "testdata/bench/typical-observed.yaml")
	f := New(logging.NewNopLogger())
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	run := func(n int) {
		for range n {
			if _, err := f.RunFunction(context.Background(), req); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(500) // caches and pools warm
	before := heap()
	run(1000)
	// 1,000 dropped responses; keeping even 2 KB of each would grow the heap by 2 MB.
	if grown := heap() - before; grown > 2<<20 {
		t.Errorf("RunFunction(): the heap grew by %d KB over 1,000 requests whose responses were dropped", grown>>10)
	}
}
