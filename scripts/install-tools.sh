#!/usr/bin/env bash
# Installs the tools the distribution checks need (npm run lint:ci, npm run test:package) into
# $CACHE_DIR/tools, keyed by version, so a second run costs nothing:
#   krew and validate-krew-manifest (sigs.k8s.io/krew), actionlint (github.com/rhysd/actionlint),
#   kubectl (k8s.io/kubernetes/cmd/kubectl, built with the test cluster's wrapper module so it
#   shares its pinned Kubernetes version and Go build cache), rcodesign (crates.io apple-codesign,
#   for the macOS executables of npm run package), shellcheck (Debian package).
#
#   scripts/install-tools.sh          # install what is missing
#   scripts/install-tools.sh --print  # print the tool directory (for PATH) and exit
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR="${NETPOL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpol}"

KREW_VERSION=v0.4.3          # the newest sigs.k8s.io/krew the Go module proxy serves
ACTIONLINT_VERSION=v1.7.12   # github.com/rhysd/actionlint
RCODESIGN_VERSION=0.29.0     # crates.io apple-codesign (binary rcodesign)
KUBECTL_VERSION=$(sed -n 's/^K8S_VERSION="\(v[0-9.]*\)".*/\1/p' "$ROOT/test/cluster/lib/common.sh")

TOOLS_BIN="$CACHE_DIR/tools/bin"
if [[ ${1:-} == --print ]]; then echo "$TOOLS_BIN"; exit 0; fi

say() { printf 'install-tools: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$TOOLS_BIN"
command -v go >/dev/null || die "go is required (Go >= 1.24) to build krew, actionlint and kubectl"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -mod=mod"

# One directory per tool and version; $TOOLS_BIN holds symlinks to the pinned ones.
installed() { [[ -f "$CACHE_DIR/tools/$1/.done" ]]; }
link() { ln -sfn "$CACHE_DIR/tools/$1/bin/$2" "$TOOLS_BIN/$2"; }

go_install() { # name@version module/cmd/path...
  local key=$1; shift
  if ! installed "$key"; then
    local t0=$SECONDS
    say "building $key"
    rm -rf "$CACHE_DIR/tools/$key"
    GOBIN="$CACHE_DIR/tools/$key/bin" go install -trimpath -ldflags="-s -w" "$@"
    touch "$CACHE_DIR/tools/$key/.done"
    say "$key built in $((SECONDS - t0))s"
  fi
}

go_install "krew-$KREW_VERSION" "sigs.k8s.io/krew/cmd/krew@$KREW_VERSION" \
  "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION"
link "krew-$KREW_VERSION" krew
ln -sfn krew "$TOOLS_BIN/kubectl-krew"   # so that `kubectl krew` dispatches to it
link "krew-$KREW_VERSION" validate-krew-manifest

go_install "actionlint-$ACTIONLINT_VERSION" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
link "actionlint-$ACTIONLINT_VERSION" actionlint

# kubectl: built from a copy of the cluster harness's wrapper module (test/cluster/build/k8s),
# which pins k8s.io/kubernetes and its staging modules; the copy keeps `go build` from touching
# the harness's go.mod/go.sum.
key="kubectl-$KUBECTL_VERSION"
if ! installed "$key"; then
  t0=$SECONDS
  say "building kubectl $KUBECTL_VERSION (a few minutes cold; less when the cluster build has filled the Go cache)"
  rm -rf "$CACHE_DIR/tools/$key"
  mod="$CACHE_DIR/tools/$key/module"
  mkdir -p "$mod" "$CACHE_DIR/tools/$key/bin"
  cp "$ROOT/test/cluster/build/k8s/go.mod" "$ROOT/test/cluster/build/k8s/go.sum" "$mod/"
  printf 'package tools\n' >"$mod/tools.go"
  minor=${KUBECTL_VERSION#v1.}; minor=${minor%%.*}
  ld="-s -w"
  for k in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ld+=" -X '$k.gitVersion=$KUBECTL_VERSION' -X '$k.gitMajor=1' -X '$k.gitMinor=$minor'"
    ld+=" -X '$k.gitTreeState=clean' -X '$k.buildDate=1970-01-01T00:00:00Z'"
  done
  (cd "$mod" && go build -trimpath -ldflags="$ld" -o "$CACHE_DIR/tools/$key/bin/kubectl" k8s.io/kubernetes/cmd/kubectl)
  touch "$CACHE_DIR/tools/$key/.done"
  say "kubectl built in $((SECONDS - t0))s"
fi
link "$key" kubectl

# rcodesign (crate apple-codesign): ad-hoc signs the macOS executables of `npm run package` on
# Linux, as `codesign --sign -` would on a Mac (Apple silicon runs only signed binaries).
key="rcodesign-$RCODESIGN_VERSION"
if ! installed "$key"; then
  # rustup puts cargo in ~/.cargo/bin, which a non-login shell may not have on PATH.
  command -v cargo >/dev/null || PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  command -v cargo >/dev/null || die "cargo is required to build rcodesign (crate apple-codesign)"
  t0=$SECONDS
  say "building rcodesign $RCODESIGN_VERSION (about 5-8 minutes cold on 2 cores)"
  rm -rf "$CACHE_DIR/tools/$key"
  cargo install --quiet --locked --no-default-features --root "$CACHE_DIR/tools/$key" "apple-codesign@$RCODESIGN_VERSION"
  touch "$CACHE_DIR/tools/$key/.done"
  say "rcodesign built in $((SECONDS - t0))s"
fi
link "$key" rcodesign

# Debian packages: shellcheck for lint:ci, zip for the Windows archive of npm run package.
missing=()
for pkg in shellcheck zip; do command -v "$pkg" >/dev/null || missing+=("$pkg"); done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
ln -sfn "$(command -v shellcheck)" "$TOOLS_BIN/shellcheck"
say "tools ready in $TOOLS_BIN"
