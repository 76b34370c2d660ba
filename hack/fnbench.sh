#!/usr/bin/env bash
# Measures the function binary over gRPC with fnbench (../shared/tools/fnbench): the function alone, no
# API server and no Crossplane. Each measurement gets a fresh function process on a port that is free at
# run time, so peak RSS figures are comparable and a busy 9443 does not matter.
# Usage: hack/fnbench.sh FUNCTION_BIN CACHE_BIN_DIR   (make bench runs it)
set -euo pipefail

if (($# != 2)); then
	echo "usage: $0 FUNCTION_BIN CACHE_BIN_DIR" >&2
	exit 2
fi
abs() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }
fn_bin=$(abs "$1")
bin_dir=$(abs "$2")
shared=$(abs "${XAPP_SHARED:-../shared}")
cd "$(dirname "$0")/.."

composition=package/configuration/composition-xapp.yaml
typical_xr=fn/testdata/bench/typical-xr.yaml
typical_observed=fn/testdata/bench/typical-observed.yaml
large_xr=fn/testdata/bench/large-xr.yaml
requests=3000

for f in "$composition" "$typical_xr" "$typical_observed" "$large_xr"; do
	[[ -f $f ]] || { echo "fnbench: missing input $f" >&2; exit 1; }
done
[[ -x $fn_bin ]] || { echo "fnbench: function binary $fn_bin not found: run make build" >&2; exit 1; }

work=$(mktemp -d)
fn_pid=
stop_function() {
	if [[ -n $fn_pid ]]; then
		kill "$fn_pid" 2>/dev/null || true
		wait "$fn_pid" 2>/dev/null || true
		fn_pid=
	fi
}
cleanup() {
	stop_function
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Built once per cache folder: the tool is small and rarely changes.
fnbench=$bin_dir/fnbench
if [[ ! -x $fnbench ]]; then
	echo "building fnbench from $shared/tools/fnbench (once; cached in $bin_dir)" >&2
	mkdir -p "$bin_dir"
	tmp=$(mktemp "$bin_dir/.fnbench.XXXXXX")
	if ! (cd "$shared/tools/fnbench" && CGO_ENABLED=0 go build -trimpath -o "$tmp" .); then
		rm -f "$tmp"
		exit 1
	fi
	mv "$tmp" "$fnbench"
fi

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_function sets fn_pid and fn_addr. Bash cannot ask the kernel for a free port, so it picks a
# random one nobody answers on and retries when the function still loses it.
start_function() {
	local log=$work/function.log port
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		listening "$port" && continue
		"$fn_bin" --insecure --address="127.0.0.1:$port" >"$log" 2>&1 &
		fn_pid=$!
		for _ in $(seq 200); do # 20 s
			kill -0 "$fn_pid" 2>/dev/null || break
			if listening "$port"; then
				fn_addr=127.0.0.1:$port
				return 0
			fi
			sleep 0.1
		done
		stop_function
		grep -q 'address already in use' "$log" || break
	done
	echo "fnbench: the function did not start listening; its output:" >&2
	cat "$log" >&2
	return 1
}

# bench LABEL CONCURRENCY FNBENCH_ARGS...
bench() {
	local label=$1 conc=$2
	shift 2
	start_function
	"$fnbench" -addr "$fn_addr" -input "$composition" -c "$conc" -n "$requests" -warmup 1s -pid "$fn_pid" -label "$label" "$@"
	stop_function
}

bench typical-c1 1 -xr "$typical_xr" -observed "$typical_observed"
bench typical-c2 2 -xr "$typical_xr" -observed "$typical_observed"
# The same observed state as the typical case, so the two differ only in the app itself.
bench large-c1 1 -xr "$large_xr" -observed "$typical_observed"
