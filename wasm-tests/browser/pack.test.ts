// pack.test.ts: the package as users get it. `npm pack` makes the tarball (checked for what
// it holds), a fresh Vite app in a temporary folder installs it (with Vite 8.3.8, from the npm
// cache where it can), `vite build` bundles it without any configuration, and the built app,
// served on 127.0.0.1, trains and generates in Chromium on the main thread and in the Worker
// engine and keeps a model in IndexedDB: proof that the bundler found the .wasm files and the
// worker. Served cross-origin isolated, the Worker engine runs the threads build: proof that
// the bundler also emitted its glue and pthread worker script. The Vite dev server runs the
// installed package too (no optimizeDeps settings; a vite.config.js that only sets the two
// isolation headers, as a site that wants threads would).
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBrowser, ISOLATION, openPage, REPO, startServer, type Browser, type Server } from './harness.js';

const run = promisify(execFile);
const VITE = '8.3.8';
const HERE = join(REPO, 'wasm-tests/browser');

let dir: string;
let server: Server | undefined;
let isolatedServer: Server | undefined;
let browser: Browser | undefined;
let packed: { filename: string; size: number; files: { path: string; size: number }[] };
const timings: Record<string, number> = {};

async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[what] = Math.round(performance.now() - t0);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sllm-pack-'));
  const { stdout } = await timed('npm pack', () =>
    run('npm', ['pack', '--json', '--pack-destination', dir, '--loglevel=error'], { cwd: REPO }),
  );
  packed = JSON.parse(stdout)[0];
  const app = join(dir, 'app');
  await run('mkdir', ['-p', app]);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'sllm-pack-test-app',
        private: true,
        version: '0.0.0',
        type: 'module',
        dependencies: { sllm: `file:../${packed.filename}` },
        devDependencies: { vite: VITE },
      },
      null,
      2,
    ),
  );
  for (const f of ['index.html', 'main.js', 'vite.config.js']) await copyFile(join(HERE, 'vite-app', f), join(app, f));
  await copyFile(join(HERE, 'pages/lib.js'), join(app, 'lib.js'));
  await timed('npm install', () =>
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app }),
  );
  await timed('vite build', () => run(join(app, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: app }));
  server = await startServer(join(app, 'dist'));
  isolatedServer = await startServer(join(app, 'dist'), { headers: ISOLATION });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await isolatedServer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  console.log(`npm pack → fresh Vite app: ${JSON.stringify(timings)} ms`);
});

it('packs dist/ (JavaScript, types, worker, store, the three builds) and nothing else', () => {
  const paths = packed.files.map((f) => f.path).sort();
  for (const p of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/worker.js',
    'dist/worker-engine.js',
    'dist/store/index.js',
    'dist/store/model-store.js',
    'dist/wasm/sllm-simd.wasm',
    'dist/wasm/sllm-simd.mjs',
    'dist/wasm/sllm.wasm',
    'dist/wasm/sllm.mjs',
    'dist/wasm/sllm-simd-threads.wasm',
    'dist/wasm/sllm-simd-threads.mjs',
    'dist/wasm/sllm-simd-threads.worker.js',
    'dist/node-threads.js',
    'dist/node-pthread.js',
    'package.json',
  ])
    expect(paths).toContain(p);
  expect(paths.filter((p) => !p.startsWith('dist/'))).toEqual(['LICENSE', 'README.md', 'package.json']);
  // Three builds of about 0.8 MB each (0.34 MB compressed): the tarball stays near 1 MB.
  expect(packed.size).toBeLessThan(1_250_000);
});

it('is bundled by Vite with the .wasm files, the worker and the threads build\'s glue and worker script', async () => {
  const assets = await readdir(join(dir, 'app/dist/assets'));
  expect(assets.filter((a) => a.endsWith('.wasm')).map((a) => a.replace(/-[\w-]{8}\.wasm$/, '')).sort()).toEqual([
    'sllm',
    'sllm-simd',
    'sllm-simd-threads',
  ]);
  expect(assets.some((a) => /^worker-.*\.js$/.test(a))).toBe(true);
  expect(assets.some((a) => /^sllm-simd-threads-[\w-]{8}\.mjs$/.test(a))).toBe(true);
  expect(assets.some((a) => /^sllm-simd-threads\.worker-[\w-]{8}\.js$/.test(a))).toBe(true);
});

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

forEachBrowser(
  (b) => (browser = b),
  (name) => {
  it('trains and generates, on the main thread and in a Worker, and stores models', async () => {
    const p = await openPage(browser!, `${server!.url}/`, 'vite-app');
    const main = await p.run<{ backend: string; firstLoss: number; lastLoss: number; text: string; chatText: string }>(
      'trainAndGenerate', { steps: 30 },
    );
    const worker = await p.run<{ backend: string; lastLoss: number; text: string }>('trainAndGenerate', {
      steps: 30,
      worker: true,
    });
    const scalar = await p.run<{ backend: string; lastLoss: number }>('trainAndGenerate', {
      steps: 5,
      worker: true,
      backend: 'scalar',
    });
    expect(main.backend).toBe('simd');
    expect(main.lastLoss).toBeLessThan(main.firstLoss * 0.8);
    expect(main.text.length).toBeGreaterThan(20);
    expect(worker).toMatchObject({ backend: 'simd', lastLoss: main.lastLoss, text: main.text, chatText: main.chatText });
    expect(main.chatText).toBe(main.text.slice(0, 20));  // the chat API and its template engine, bundled
    expect(scalar.backend).toBe('scalar');
    const saved = await p.run<{ text: string }>('trainAndSave', { name: 'bundled' });
    await p.page.reload();
    await p.page.waitFor(() => (window as unknown as { sllmReady?: boolean }).sllmReady === true);
    const loaded = await p.run<{ text: string }>('loadAndGenerate', { name: 'bundled', worker: true });
    expect(loaded.text).toBe(saved.text);
    // the hashed assets Vite emitted are what the page and its workers loaded
    const wasm = p.requests.filter((r) => r.endsWith('.wasm'));
    expect(new Set(wasm.map((r) => r.replace(/^\/assets\/(sllm(-simd)?)-[\w-]+\.wasm$/, '$1')))).toEqual(
      new Set(['sllm-simd', 'sllm']),
    );
    expect(p.requests.some((r) => /^\/assets\/worker-.*\.js$/.test(r))).toBe(true);
    await p.finish();
  });

  it('runs the threads build in the Worker engine when served cross-origin isolated', async () => {
    const p = await openPage(browser!, `${isolatedServer!.url}/`, 'vite-app-isolated');
    const main = await p.run<{ backend: string; threads: number; lastLoss: number; text: string }>('trainAndGenerate', { steps: 20 });
    const worker = await p.run<{ backend: string; threads: number; lastLoss: number; text: string }>('trainAndGenerate', {
      steps: 20,
      worker: true,
      threads: 2,
    });
    expect(main).toMatchObject({ backend: 'simd', threads: 1 });
    expect(worker).toMatchObject({ backend: 'simd-threads', threads: 2, lastLoss: main.lastLoss, text: main.text });
    // the hashed glue, .wasm and pthread worker script Vite emitted are what the engine loaded
    for (const re of [/^\/assets\/sllm-simd-threads-[\w-]+\.mjs$/, /^\/assets\/sllm-simd-threads-[\w-]+\.wasm$/,
      /^\/assets\/sllm-simd-threads\.worker-[\w-]+\.js$/])
      expect(p.requests.some((r) => re.test(r)), String(re)).toBe(true);
    await p.finish();
  });

  it('runs from the Vite dev server as well', async () => {
    const port = await freePort();
    const app = join(dir, 'app');
    // node_modules/.bin/vite itself (not npx, whose PID is not vite's), so kill() stops it.
    // Readiness is an HTTP answer on the port, not Vite's banner: with CI set (as on CI machines)
    // Vite prints the port in colour, so the banner text differs between machines.
    const vite = spawn(join(app, 'node_modules/.bin/vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    const collect = (d: Buffer) => (output += d.toString());
    vite.stdout!.on('data', collect);
    vite.stderr!.on('data', collect);
    let exited: number | null | undefined;
    vite.on('exit', (code) => (exited = code));
    try {
      await timed('vite dev start', async () => {
        const deadline = Date.now() + 60_000;
        for (;;) {
          if (exited !== undefined) throw new Error(`vite exited (${exited}): ${output}`);
          const ok = await fetch(`http://127.0.0.1:${port}/`).then(
            (r) => r.ok,
            () => false,
          );
          if (ok) return;
          if (Date.now() > deadline) throw new Error(`the Vite dev server did not answer within 60 s: ${output}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      const p = await openPage(browser!, `http://127.0.0.1:${port}/`, 'vite-dev');
      const main = await p.run<{ backend: string; text: string }>('trainAndGenerate', { steps: 10 });
      const worker = await p.run<{ backend: string; threads: number; text: string }>('trainAndGenerate', {
        steps: 10,
        worker: true,
        threads: 2,
      });
      expect(main.backend).toBe('simd');
      // vite.config.js sends the isolation headers: the Worker engine runs the threads build
      expect(worker).toMatchObject({ backend: 'simd-threads', threads: 2, text: main.text });
      expect(p.requests.some((r) => r.endsWith('sllm-simd.wasm'))).toBe(true);
      expect(p.requests.some((r) => r.endsWith('sllm-simd-threads.worker.js'))).toBe(true);
      await p.finish();
    } finally {
      vite.kill();
    }
  });
  },
);
