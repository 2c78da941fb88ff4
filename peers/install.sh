#!/usr/bin/env bash
# Installs what the peer servers need (see ../README.md, Peers): the Node.js packages from the committed
# lockfile (ws, uWebSockets.js, Bun's prebuilt binary) and, when Go is present, the gorilla peer built offline
# from Debian's packages (apt-get install golang-go golang-github-gorilla-websocket-dev).
# Idempotent; says what is missing instead of guessing. --require-go fails when the Go peer cannot be built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
require_go=0
[[ "${1:-}" == "--require-go" ]] && require_go=1

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "peers: Node.js 20+ and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if (( major < 20 )); then
  echo "peers: Node.js $(node --version) found; 20 or newer is needed" >&2
  exit 1
fi
if [[ -d node_modules/ws && -d node_modules/@trufflesuite/uws-js-unofficial && -x node_modules/@oven/bun-linux-x64/bin/bun ]] \
    && [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "peers: node packages already installed"
else
  echo "peers: installing node packages (npm ci)"
  # --ignore-scripts: nothing runs at install; Bun's binary comes from its platform package, used directly.
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi

gorilla=/usr/share/gocode/src/github.com/gorilla/websocket
if command -v go >/dev/null 2>&1 && [[ -d "$gorilla" ]]; then
  if [[ ! -x go-gorilla/bin/go-gorilla || go-gorilla/main.go -nt go-gorilla/bin/go-gorilla ]]; then
    echo "peers: building go-gorilla with $(go version | cut -d' ' -f3)"
    cache=$(mktemp -d)
    GO111MODULE=off GOPATH="$cache:/usr/share/gocode" GOCACHE="$cache/cache" GOFLAGS= \
      go build -o go-gorilla/bin/go-gorilla ./go-gorilla
    rm -rf "$cache"
  fi
elif (( require_go )); then
  echo "peers: Go or gorilla/websocket is missing (apt-get install golang-go golang-github-gorilla-websocket-dev)" >&2
  exit 1
else
  echo "peers: go-gorilla skipped: Go or gorilla/websocket is missing (apt-get install golang-go golang-github-gorilla-websocket-dev)"
fi
echo "peers: ready: ./fanwire peer <node-ws|uws|bun|go-gorilla> --port 9001 --secret <secret>"
