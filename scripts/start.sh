#!/usr/bin/env bash
# start.sh: what `npm start` runs. Installs what is missing (scripts/setup.sh: the Debian build
# tools and the npm dependencies; no browser needed), builds the package (WebAssembly and
# TypeScript into dist/), then serves the demo page (web/) with Vite on 127.0.0.1 and prints
# its address. PORT=8080 npm start picks another port.
set -euo pipefail
cd "$(dirname "$0")/.."
# Vite 8 needs Node 20.19+ (or 22.12+); Debian 12's own nodejs package is older.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "start: Node $(node --version) is too old for the demo's dev server (Vite 8): install Node 20.19+ or 22.12+" >&2
  exit 1
fi
scripts/setup.sh --no-browser
echo "start: building the package (npm run build)"
npm run --silent build
exec node web/serve.mjs
