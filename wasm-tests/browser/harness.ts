// harness.ts: what the browser tests share. A static file server on 127.0.0.1 (a real origin,
// so IndexedDB and module workers work; .wasm as application/wasm), the browsers of
// browsers.mjs (Debian's Chromium and firefox-esr, never a downloaded browser) with a fresh
// profile, and pages whose console errors, uncaught exceptions and failed requests fail the
// test, with a screenshot and the console log saved to wasm-tests/artifacts/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { BROWSERS, launchBrowser, type BrowserName, type BrowserPage, type LaunchedBrowser } from './browsers.mjs';

export { BROWSERS, type BrowserName };
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(REPO, 'wasm-tests/artifacts');

/** The two headers that make a page cross-origin isolated (shared memory, the threads build). */
export const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where a bare import of an installed package points (its ES module entry), for unbundled pages. */
async function moduleEntry(root: string, name: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8'));
  const dot = pkg.exports?.['.'];
  const entry = (typeof dot === 'object' && (dot.import ?? dot.module ?? dot.default)) || pkg.module || pkg.main;
  return `/node_modules/${name}/${String(entry).replace(/^\.\//, '')}`;
}

export interface Server {
  url: string;
  /** Paths requested so far. */
  requests: string[];
  /** Bodies served instead of files, by path. */
  overrides: Map<string, Uint8Array>;
  close(): Promise<void>;
}

/**
 * Serves root on 127.0.0.1. With bareImports, JavaScript files have their bare `import ... from
 * 'pkg'` rewritten to the package's file under /node_modules/ (what a bundler resolves), so the
 * package's dist/ runs unbundled, in module workers too (which have no import maps). headers
 * go on every response (e.g. a Content-Security-Policy, which module workers take from theirs).
 * overrides: bodies served instead of files, by path (e.g. a corrupt .wasm); settable later.
 */
export async function startServer(
  root: string,
  {
    bareImports = false,
    headers = {} as Record<string, string>,
    overrides = new Map<string, Uint8Array>(),
  } = {},
): Promise<Server> {
  const requests: string[] = [];
  const entries = new Map<string, Promise<string>>();
  const resolve = (name: string) => {
    if (!entries.has(name)) entries.set(name, moduleEntry(root, name));
    return entries.get(name)!;
  };
  const server = http.createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    requests.push(path);
    try {
      let body: Buffer | Uint8Array | string =
        overrides.get(path) ?? (await readFile(join(root, path.endsWith('/') ? `${path}index.html` : path)));
      const type = MIME[extname(path)] ?? (path.endsWith('/') ? MIME['.html'] : 'application/octet-stream');
      if (bareImports && type.startsWith('text/javascript')) {
        let text = Buffer.from(body).toString('utf8');
        const re = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([a-z@][\w./@-]*)\2/g;
        const names = new Set([...text.matchAll(re)].map((m) => m[3]).filter((n) => !n.startsWith('node:')));
        for (const name of names) {
          const target = await resolve(name);
          text = text.replace(re, (m, pre, q, n) => (n === name ? `${pre}${q}${target}${q}` : m));
        }
        body = text;
      }
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    overrides,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export type Browser = LaunchedBrowser;

/** A browser (chromium or firefox, see browsers.mjs) with a fresh (or the given) profile. */
export function launch(name: BrowserName = 'chromium', options: { userDataDir?: string; args?: string[] } = {}): Promise<Browser> {
  return launchBrowser(name, options);
}

/**
 * The tests of body once per browser of BROWSERS, each in a describe named after it, with the
 * browser launched before them (handed to onLaunch) and closed after.
 */
export function forEachBrowser(onLaunch: (browser: Browser) => void, body: (name: BrowserName) => void): void {
  for (const name of BROWSERS)
    describe(name, () => {
      let browser: Browser | undefined;
      beforeAll(async () => {
        browser = await launch(name);
        onLaunch(browser);
      });
      afterAll(async () => {
        await browser?.close();
      });
      body(name);
    });
}

export interface TestPage {
  page: BrowserPage;
  /** Console messages (type: text), worker messages included. */
  log: string[];
  /** Console errors, uncaught exceptions and failed requests: each fails the test. */
  errors: string[];
  /** Request URLs' paths. */
  requests: string[];
  /** Web Workers the page started, and whether each has ended. */
  workers: { url: string; closed: boolean }[];
  /** Calls window.lib[name](window.sllm, arg) in the page (wasm-tests/browser/pages/lib.js). */
  run<T = unknown>(name: string, arg?: unknown): Promise<T>;
  /** Asserts there were no errors, saves the log and a screenshot under wasm-tests/artifacts/<name>. */
  finish(): Promise<void>;
}

/** Opens url in a new page of browser that records everything the test checks. */
export async function openPage(browser: Browser, url: string, name: string): Promise<TestPage> {
  const page = await browser.newPage();
  const log: string[] = [];
  const errors: string[] = [];
  const requests: string[] = [];
  page.onConsole((type, text) => {
    log.push(`${type}: ${text}`);
    if (type === 'error') errors.push(`console.error: ${text}`);
  });
  page.onPageError((message, stack) => {
    log.push(`pageerror: ${stack}`);
    errors.push(`uncaught: ${message}`);
  });
  const workers: { url: string; closed: boolean }[] = [];
  page.onWorker((workerUrl, onClose) => {
    const entry = { url: new URL(workerUrl).pathname, closed: false };
    workers.push(entry);
    log.push(`worker started: ${workerUrl}`);
    onClose(() => {
      entry.closed = true;
      log.push(`worker ended: ${workerUrl}`);
    });
  });
  page.onRequest((u) => requests.push(new URL(u).pathname));
  page.onRequestFailed((u, why) => errors.push(`request failed: ${u} ${why}`));
  page.onResponse((status, u) => {
    if (status >= 400) errors.push(`HTTP ${status}: ${u}`);
  });
  await page.goto(url);
  await page.waitFor(() => (window as unknown as { sllmReady?: boolean }).sllmReady === true, undefined, {
    timeout: 30_000,
  });
  return {
    page,
    log,
    errors,
    requests,
    workers,
    run<T>(fn: string, arg?: unknown): Promise<T> {
      return page.evaluate(
        ([f, a]) => {
          const w = window as unknown as { lib: Record<string, (m: unknown, a: unknown) => unknown>; sllm: unknown };
          return w.lib[f as string](w.sllm, a);
        },
        [fn, arg] as const,
      ) as Promise<T>;
    },
    async finish() {
      await mkdir(ARTIFACTS, { recursive: true });
      const file = join(ARTIFACTS, `${browser.name}-${name}`.replace(/[^\w.-]+/g, '-'));
      await writeFile(`${file}.log`, `${log.join('\n')}\n${errors.length ? `ERRORS:\n${errors.join('\n')}\n` : ''}`);
      if (!page.isClosed()) await page.screenshot({ path: `${file}.png` }).catch(() => {});
      expect(errors, `errors in the page (log: ${file}.log)`).toEqual([]);
      if (!page.isClosed()) await page.close();
    },
  };
}
