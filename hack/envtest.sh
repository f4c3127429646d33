#!/usr/bin/env bash
# Provides the envtest binaries (kube-apiserver, etcd) in bin/k8s/<version>
# and prints that directory, for KUBEBUILDER_ASSETS.
#
# In order, it uses: binaries already in bin/k8s; a copy cached in
# $ENVTEST_CACHE (default ~/.cache/telemetry-operator/envtest); setup-envtest,
# which downloads release binaries where the network allows; and as the
# fallback that always works, a build from source through the Go module proxy
# (about 6 minutes on 2 cores).
set -euo pipefail

K8S_VERSION=${ENVTEST_K8S_VERSION:-1.37.2}
ETCD_VERSION=${ENVTEST_ETCD_VERSION:-v3.6.16}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/bin/k8s/$K8S_VERSION-$(go env GOOS)-$(go env GOARCH)"
CACHE=${ENVTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/telemetry-operator/envtest}/$K8S_VERSION

log() { echo "envtest: $*" >&2; }
have() { [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ]; }

if have "$DEST"; then echo "$DEST"; exit 0; fi
mkdir -p "$DEST"
if have "$CACHE"; then
	cp "$CACHE/kube-apiserver" "$CACHE/etcd" "$DEST/"
	log "copied from $CACHE"
	echo "$DEST"; exit 0
fi

try_setup_envtest() {
	GOBIN="$ROOT/bin" go install sigs.k8s.io/controller-runtime/tools/setup-envtest@v0.25.1 >/dev/null 2>&1 || return 1
	local dir
	dir=$(timeout 90 "$ROOT/bin/setup-envtest" use "$K8S_VERSION" --bin-dir "$ROOT/bin/setup-envtest-cache" -p path 2>/dev/null) || return 1
	have "$dir" || return 1
	cp "$dir/kube-apiserver" "$dir/etcd" "$DEST/"
}

build_from_source() {
	local work
	work=$(mktemp -d)
	trap 'rm -rf "$work"' RETURN
	log "building kube-apiserver v$K8S_VERSION and etcd $ETCD_VERSION from the Go module proxy (about 6 minutes)"
	(
		cd "$work"
		mkdir apiserver etcd
		cd apiserver
		go mod init envtest-apiserver >/dev/null 2>&1
		go mod edit -require "k8s.io/kubernetes@v$K8S_VERSION"
		# k8s.io/kubernetes points its 33 staging modules at ./staging; point
		# them at the published modules of the same number instead.
		go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null
		modfile=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
		for m in $(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$modfile"); do
			go mod edit -replace "$m=$m@v0.${K8S_VERSION#1.}"
		done
		go get "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" >/dev/null 2>&1
		CGO_ENABLED=0 go build -o "$DEST/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
		cd ../etcd
		go mod init envtest-etcd >/dev/null 2>&1
		cat >main.go <<-'EOF'
		package main

		import (
			"os"

			"go.etcd.io/etcd/server/v3/etcdmain"
		)

		func main() { etcdmain.Main(os.Args) }
		EOF
		go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1
		go mod tidy >/dev/null 2>&1
		CGO_ENABLED=0 go build -o "$DEST/etcd" .
	)
}

if ! try_setup_envtest; then
	log "setup-envtest could not download binaries; building them"
	build_from_source
fi
have "$DEST" || { log "no kube-apiserver/etcd in $DEST"; exit 1; }
mkdir -p "$CACHE" && cp "$DEST/kube-apiserver" "$DEST/etcd" "$CACHE/" || true
echo "$DEST"
