#!/usr/bin/env bash
# Installs what the peer servers need (see ../README.md, Peers): Node.js packages from the committed lockfile.
# Idempotent; says what is missing instead of guessing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "peers: Node.js 20+ and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if (( major < 20 )); then
  echo "peers: Node.js $(node --version) found; 20 or newer is needed" >&2
  exit 1
fi
if [[ -d node_modules/ws ]] && [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "peers: node packages already installed"
else
  echo "peers: installing node packages (npm ci)"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi
echo "peers: ready: ./fanwire peer node-ws --port 9001 --secret <secret>"
