// harness.ts: what the Chromium tests share. A static file server on 127.0.0.1 (a real origin,
// so IndexedDB and module workers work; .wasm as application/wasm), Chromium (the system's
// /usr/bin/chromium through playwright-core; never a downloaded browser) with a fresh profile,
// and pages whose console errors, uncaught exceptions and failed requests fail the test, with
// a screenshot and the console log saved to wasm-tests/artifacts/.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(REPO, 'wasm-tests/artifacts');
export const CHROMIUM = process.env.SLLM_CHROMIUM ?? '/usr/bin/chromium';

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
  close(): Promise<void>;
}

/**
 * Serves root on 127.0.0.1. With bareImports, JavaScript files have their bare `import ... from
 * 'pkg'` rewritten to the package's file under /node_modules/ (what a bundler resolves), so the
 * package's dist/ runs unbundled, in module workers too (which have no import maps). headers
 * go on every response (e.g. a Content-Security-Policy, which module workers take from theirs).
 */
export async function startServer(
  root: string,
  { bareImports = false, headers = {} as Record<string, string> } = {},
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
      let body: Buffer | string = await readFile(join(root, path.endsWith('/') ? `${path}index.html` : path));
      const type = MIME[extname(path)] ?? (path.endsWith('/') ? MIME['.html'] : 'application/octet-stream');
      if (bareImports && type.startsWith('text/javascript')) {
        let text = body.toString('utf8');
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
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface Browser {
  context: BrowserContext;
  userDataDir: string;
  /** Closes Chromium and deletes its profile (unless keepProfile). */
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

/** Chromium with a fresh (or the given) profile, with the flags it needs as root in a container. */
export async function launch(options: { userDataDir?: string; args?: string[] } = {}): Promise<Browser> {
  const userDataDir = options.userDataDir ?? (await mkdtemp(join(tmpdir(), 'sllm-chromium-')));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.args ?? []),
    ],
  });
  return {
    context,
    userDataDir,
    async close({ keepProfile = false } = {}) {
      await context.close().catch(() => {});
      if (!keepProfile) await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface TestPage {
  page: Page;
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

/** Opens url in a new page that records everything the test checks. */
export async function openPage(context: BrowserContext, url: string, name: string): Promise<TestPage> {
  const page = await context.newPage();
  const log: string[] = [];
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    log.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    log.push(`pageerror: ${e.stack ?? e.message}`);
    errors.push(`uncaught: ${e.message}`);
  });
  const workers: { url: string; closed: boolean }[] = [];
  page.on('worker', (w) => {
    const entry = { url: new URL(w.url()).pathname, closed: false };
    workers.push(entry);
    log.push(`worker started: ${w.url()}`);
    w.on('close', () => {
      entry.closed = true;
      log.push(`worker ended: ${w.url()}`);
    });
  });
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { sllmReady?: boolean }).sllmReady === true, null, {
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
      const file = join(ARTIFACTS, name.replace(/[^\w.-]+/g, '-'));
      await writeFile(`${file}.log`, `${log.join('\n')}\n${errors.length ? `ERRORS:\n${errors.join('\n')}\n` : ''}`);
      if (!page.isClosed()) await page.screenshot({ path: `${file}.png` }).catch(() => {});
      expect(errors, `errors in the page (log: ${file}.log)`).toEqual([]);
      if (!page.isClosed()) await page.close();
    },
  };
}
