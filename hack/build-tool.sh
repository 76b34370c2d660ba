#!/usr/bin/env bash
# Builds binaries from one pinned tool module (tools/<name>) into a cache folder keyed by that module's
# go.mod and go.sum (the Makefile names the folder), so a changed pin rebuilds and an unchanged one is
# never built twice. Binaries land atomically: an interrupted build leaves nothing half-written.
# Usage: hack/build-tool.sh <tool-module-dir> <out-dir> <ldflags> <package>[=<binary>]...
set -euo pipefail
mod=$1 out=$2 ldflags=$3
shift 3
todo=()
for spec in "$@"; do
	bin=${spec#*=}
	[[ $spec == *=* ]] || bin=${spec##*/}
	[[ -x "$out/$bin" ]] || todo+=("$spec")
done
((${#todo[@]})) || exit 0
mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for spec in "${todo[@]}"; do
	pkg=${spec%%=*} bin=${spec#*=}
	[[ $spec == *=* ]] || bin=${spec##*/}
	echo "building $bin from $mod (once; cached in $out)" >&2
	start=$SECONDS
	# Static, trimmed binaries: the same pin gives the same binary on every machine.
	(cd "$mod" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags="-s -w $ldflags" -o "$tmp/$bin" "$pkg")
	mv "$tmp/$bin" "$out/$bin"
	echo "built $bin in $((SECONDS - start))s" >&2
done
