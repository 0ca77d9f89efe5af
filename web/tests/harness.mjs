// harness.mjs: what the demo's browser test needs: a static file server on 127.0.0.1 (a real
// origin, so IndexedDB works) for the built page (web/dist), sending the two headers that make
// it cross-origin isolated (so it runs the threads build); the browsers (Debian's Chromium and
// firefox-esr, never a downloaded browser) come from the package tests' launcher,
// wasm-tests/browser/browsers.mjs.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

export { BROWSERS, launchBrowser } from '../../wasm-tests/browser/browsers.mjs';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** Serves `root` at http://127.0.0.1:<port>/ (port 0: any free one). */
export function startServer(root, port = 0) {
  const server = http.createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, {
        'content-type': MIME[extname(path)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` })));
}
