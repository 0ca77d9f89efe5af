// threads.test.ts: the threads build in Chromium and Firefox (each of BROWSERS). Served cross-origin isolated (COOP
// same-origin + COEP require-corp), the Worker engine loads sllm-simd-threads with its pthread
// workers and trains on 2 threads (and on 3), with the same losses and text as the one-thread
// SIMD engine on the page's main thread (which keeps one thread); pause/resume/stop/abort work;
// disposing ends every worker, over repeated create/train/dispose cycles (but for a worker
// Firefox left stuck and createWorkerEngine replaced: see stalledWorkers). Served without the
// headers, the Worker engine falls back to the SIMD build and still trains.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBrowser, ISOLATION, openPage, REPO, startServer, type Browser, type Server, type TestPage } from './harness.js';

let isolated: Server;
let plain: Server;
let browser: Browser;

beforeAll(async () => {
  isolated = await startServer(REPO, { bareImports: true, headers: ISOLATION });
  plain = await startServer(REPO, { bareImports: true });
});

afterAll(async () => {
  await isolated?.close();
  await plain?.close();
});

interface Trained {
  backend: string;
  threads: number;
  isolated: boolean;
  steps: number;
  firstLoss: number;
  lastLoss: number;
  tokensPerSecond: number;
  text: string;
}

const PAGE = '/wasm-tests/browser/pages/index.html';

/**
 * How many Worker engine workers stalled and were replaced in this page: in Firefox driven by
 * WebDriver BiDi (these tests), `new Worker()` for a pthread inside the engine's worker
 * sometimes never returns (bindings/ts/src/worker-start.ts); each such worker started one
 * pthread Web Worker, and the two never report their end. Never in Chromium.
 */
async function stalledWorkers(p: TestPage): Promise<number> {
  const stages = await p.run<string[]>('stallStages');
  if (stages.length) console.log(`${p.page.browser}: ${stages.length} stalled worker(s) replaced: ${stages.join(', ')}`);
  expect(stages.every((s) => s === 'thread-worker')).toBe(true);
  if (p.page.browser === 'chromium') expect(stages).toEqual([]);
  return stages.length;
}

forEachBrowser(
  (b) => (browser = b),
  (name) => {
  describe('served cross-origin isolated', () => {
    it('the Worker engine loads the threads build and trains on 2 threads, as one thread does', async () => {
      const p = await openPage(browser, `${isolated.url}${PAGE}`, 'threads-isolated');
      const main = await p.run<Trained>('trainAndGenerate', { steps: 30 });
      const two = await p.run<Trained>('trainAndGenerate', { steps: 30, worker: true, threads: 2 });
      const three = await p.run<Trained>('trainAndGenerate', { steps: 30, worker: true, threads: 3 });
      const byDefault = await p.run<Trained>('trainAndGenerate', { steps: 5, worker: true });
      const cores = await p.page.evaluate(() => navigator.hardwareConcurrency);
      console.log(`threads: main ${main.tokensPerSecond.toFixed(0)} tokens/s (1 thread), worker ${two.tokensPerSecond.toFixed(0)} ` +
        `(2 threads), ${three.tokensPerSecond.toFixed(0)} (3 threads); ${cores} logical processors`);
      expect(main).toMatchObject({ isolated: true, backend: 'simd', threads: 1, steps: 30 });  // the page's thread keeps one
      expect(main.lastLoss).toBeLessThan(main.firstLoss * 0.8);
      expect(two).toMatchObject({ backend: 'simd-threads', threads: 2, lastLoss: main.lastLoss, text: main.text });
      expect(three).toMatchObject({ backend: 'simd-threads', threads: 3, lastLoss: main.lastLoss, text: main.text });
      expect(byDefault).toMatchObject({ backend: 'simd-threads', threads: Math.min(cores, 8) });
      const files = p.requests.filter((r) => r.startsWith('/dist/wasm/'));
      expect(new Set(files)).toEqual(
        new Set(['/dist/wasm/sllm-simd.mjs', '/dist/wasm/sllm-simd.wasm', '/dist/wasm/sllm-simd-threads.mjs',
          '/dist/wasm/sllm-simd-threads.wasm', '/dist/wasm/sllm-simd-threads.worker.js']),
      );
      // every engine was disposed: its worker and the pthread workers it started have ended
      const stalled = await stalledWorkers(p);
      await expect.poll(() => p.workers.filter((w) => !w.closed).length, { timeout: 10_000 }).toBeLessThanOrEqual(2 * stalled);
      const started = (url: string) => p.workers.filter((w) => w.url === url).length;
      expect(started('/dist/worker.js')).toBe(3 + stalled);
      // Emscripten's pool: threads - 1 pthread workers per engine (1 + 2 + (default - 1))
      expect(started('/dist/wasm/sllm-simd-threads.worker.js')).toBe(1 + 2 + Math.min(cores, 8) - 1 + stalled);
      await p.finish();
    });

    it('pauses, resumes, stops and aborts a threaded run, and repeated engines leave no worker behind', async () => {
      const p = await openPage(browser, `${isolated.url}${PAGE}`, 'threads-controls');
      const r = await p.run<{ events: (number | string)[]; stateAfterStop: string; nextStep: number; streamed: string; whole: string; aborted: string }>(
        'workerControls',
      );
      expect(r.events.slice(0, 4)).toEqual([1, 2, 3, 'resume(paused)']);
      expect(r.stateAfterStop).toBe('idle');
      expect(r.streamed).toBe(r.whole);
      expect(r.aborted).toBe('AbortError');
      const cycles = 12;
      const seen = await p.run<string[]>('engineCycles', { cycles, threads: 2 });
      expect(seen).toEqual(Array(cycles).fill('simd-threads/2'));
      const stalled = await stalledWorkers(p);
      await expect.poll(() => p.workers.filter((w) => !w.closed).length, { timeout: 10_000 }).toBeLessThanOrEqual(2 * stalled);
      // each engine: its module worker and one pthread worker (plus the controls' engine's)
      expect(p.workers.filter((w) => w.url === '/dist/worker.js')).toHaveLength(cycles + 1 + stalled);
      expect(p.workers.filter((w) => w.url === '/dist/wasm/sllm-simd-threads.worker.js')).toHaveLength(cycles + 1 + stalled);
      await p.finish();
    });
  });

  describe('served without the isolation headers', () => {
    it('falls back to the SIMD build and still trains', async () => {
      const p = await openPage(browser, `${plain.url}${PAGE}`, 'threads-not-isolated');
      const worker = await p.run<Trained>('trainAndGenerate', { steps: 30, worker: true, threads: 2 });
      expect(worker).toMatchObject({ isolated: false, backend: 'simd', threads: 1, steps: 30 });
      expect(worker.lastLoss).toBeLessThan(worker.firstLoss * 0.8);
      expect(p.requests.some((r) => r.includes('sllm-simd-threads'))).toBe(false);
      await p.finish();
    });
  });
  },
);
