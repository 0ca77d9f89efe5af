#!/usr/bin/env bash
# start.sh: what `npm start` runs. Installs what is missing (scripts/setup.sh: the Debian build
# tools and the npm dependencies; no browser needed), builds the package (WebAssembly and
# TypeScript into dist/), then serves the demo page (web/) with Vite on 127.0.0.1 and prints
# its address. PORT=8080 npm start picks another port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-browser
echo "start: building the package (npm run build)"
npm run --silent build
exec node web/serve.mjs
