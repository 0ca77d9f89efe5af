// threads-stall.stress.ts: creates threaded Worker engines (threads build, 2 threads) many times
// in one browser, served cross-origin isolated, and records each creation's time and whether its
// first worker stalled (did not answer its init within STRESS_TIMEOUT_MS; createWorkerEngine
// then starts a fresh one). Not part of `npm test`: scripts/stress-firefox-threads.mjs runs it.
// Env: STRESS_BROWSER (firefox), STRESS_MODE (dispose | keep | reload), STRESS_CYCLES (200),
// STRESS_TIMEOUT_MS (15000), STRESS_THREADS (2), STRESS_OUT (build/stress), STRESS_DRIVER (bidi,
// or none: see runUndriven), STRESS_QUIET (1: no console or worker listeners), STRESS_BIDI_MODULES
// (the BiDi event modules puppeteer subscribes to, e.g. browsingContext,network). Writes
// <browser>-<mode>.jsonl (one line per creation), .console.log (the page's and workers' console
// with times) and .json (the summary).
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ISOLATION, launch, REPO, startServer, type BrowserName, type Server } from '../harness.js';

const env = process.env;
const browserName = (env.STRESS_BROWSER ?? 'firefox') as BrowserName;
const mode = env.STRESS_MODE ?? 'dispose';
const cycles = Number(env.STRESS_CYCLES ?? 200);
const timeoutMs = Number(env.STRESS_TIMEOUT_MS ?? 15_000);
const threads = Number(env.STRESS_THREADS ?? 2);
const out = join(REPO, env.STRESS_OUT ?? 'build/stress');
const PAGE = '/wasm-tests/browser/pages/index.html';

interface Cycle {
  ms: number;
  stalled: number;
  stages?: string[];
  backend?: string;
  threads?: number;
  error?: string;
}

it(`${browserName}: ${cycles} threaded Worker engines (${mode})`, async () => {
  mkdirSync(out, { recursive: true });
  const base = join(out, `${browserName}-${mode}`);
  writeFileSync(`${base}.jsonl`, '');
  writeFileSync(`${base}.console.log`, '');
  const t0 = Date.now();
  const stamp = () => ((Date.now() - t0) / 1000).toFixed(3).padStart(9);
  const recent: string[] = [];
  const note = (line: string) => {
    const l = `${stamp()} ${line}`;
    recent.push(l);
    if (recent.length > 60) recent.shift();
    appendFileSync(`${base}.console.log`, `${l}\n`);
  };
  const server = await startServer(REPO, { bareImports: true, headers: ISOLATION });
  const results: Cycle[] = [];
  if (env.STRESS_DRIVER === 'none' || env.STRESS_DRIVER === 'bidi-page') {
    await runSelfDriven(server, results, (r) => appendFileSync(`${base}.jsonl`, `${JSON.stringify(r)}\n`));
  } else {
  if (env.STRESS_BIDI_MODULES) {
    // the WebDriver BiDi event modules puppeteer subscribes to (by default all of them)
    const specifier = 'puppeteer-core/internal/bidi/Browser.js';
    const { BidiBrowser } = (await import(/* @vite-ignore */ specifier)) as { BidiBrowser: { subscribeModules: string[] } };
    BidiBrowser.subscribeModules.splice(0, Infinity, ...env.STRESS_BIDI_MODULES.split(','));
  }
  const browser = await launch(browserName);
  try {
    const page = await browser.newPage();
    // STRESS_QUIET=1: no console or worker listeners (does watching the workers matter?)
    if (env.STRESS_QUIET !== '1') {
      page.onConsole((type, text) => note(`${type}: ${text}`));
      page.onPageError((message) => note(`pageerror: ${message}`));
      page.onWorker((url, onClose) => {
        note(`worker started: ${new URL(url).pathname}`);
        onClose(() => note(`worker ended: ${new URL(url).pathname}`));
      });
    }
    const open = async () => {
      await page.goto(`${server.url}${PAGE}`);
      await page.waitFor(() => (window as unknown as { sllmReady?: boolean }).sllmReady === true, undefined, { timeout: 30_000 });
      // (a script tag: vitest would rewrite an import() inside an evaluated function)
      await page.addScriptTag({ type: 'module', content: "import * as s from '/wasm-tests/browser/stress/stress.js'; window.stress = s;" });
      await page.waitFor(() => 'stress' in window, undefined, { timeout: 30_000 });
    };
    await open();
    for (let i = 0; i < cycles; i++) {
      if (mode === 'reload' && i > 0) await open();
      note(`--- cycle ${i}`);
      const r = await page.evaluate(
        (arg) => {
          const w = window as unknown as { sllm: unknown; stress: { cycle(s: unknown, a: unknown): Promise<unknown> } };
          return w.stress.cycle(w.sllm, arg);
        },
        { threads, timeoutMs, keep: mode === 'keep' ? 3 : 0 },
      ) as Cycle;
      results.push(r);
      appendFileSync(`${base}.jsonl`, `${JSON.stringify({ i, ...r })}\n`);
      if (r.stalled || r.error) {
        note(`--- cycle ${i} STALLED (${r.stalled}) ${r.error ?? ''}`);
        console.log(`cycle ${i}: stalled ${r.stalled}${r.error ? `, ${r.error}` : ''}; console before it:\n${recent.join('\n')}`);
      }
    }
    if (mode === 'keep') await page.evaluate(() => (window as unknown as { stress: { disposeKept(): void } }).stress.disposeKept());
  } finally {
    await browser.close();
  }
  }
  await server.close();
  const ok = results.filter((r) => !r.stalled && !r.error);
  const ms = ok.map((r) => r.ms).sort((a, b) => a - b);
  const summary = {
    browser: browserName, mode, cycles: results.length, threads, timeoutMs,
    stalls: results.reduce((n, r) => n + r.stalled, 0),
    stalledCycles: results.map((r, i) => (r.stalled ? i : -1)).filter((i) => i >= 0),
    stages: results.flatMap((r) => r.stages ?? []).reduce((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {} as Record<string, number>),
    stalledMs: results.filter((r) => r.stalled && !r.error).map((r) => Math.round(r.ms)),
    errors: results.filter((r) => r.error).map((r) => r.error),
    backends: [...new Set(results.map((r) => `${r.backend}/${r.threads}`))],
    createMs: { median: ms[ms.length >> 1], p95: ms[Math.floor(ms.length * 0.95)], max: ms[ms.length - 1] },
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(summary, null, 1)}\n`);
  console.log(JSON.stringify(summary));
  expect(results).toHaveLength(cycles);
});

/**
 * The same cycles run by the page itself (stress.html), which reports each creation as a
 * request the server records. STRESS_DRIVER=none: Firefox started directly, with no WebDriver
 * BiDi session (nor remote agent, unless STRESS_UNDRIVEN_AGENT=1); bidi-page: started by
 * puppeteer as in the tests, which then only opens the page. No console log.
 */
async function runSelfDriven(server: Server, results: Cycle[], record: (r: Cycle & { i: number }) => void): Promise<void> {
  const url = `${server.url}/wasm-tests/browser/stress/stress.html?cycles=${cycles}&threads=${threads}&timeoutMs=${timeoutMs}` +
    `&keep=${mode === 'keep' ? 3 : 0}`;
  let stop: () => Promise<void>;
  if (env.STRESS_DRIVER === 'bidi-page') {
    const browser = await launch(browserName);
    const page = await browser.newPage();
    await page.goto(url);
    stop = () => browser.close();
  } else {
    if (browserName !== 'firefox') throw new Error('STRESS_DRIVER=none runs firefox only');
    const profile = mkdtempSync(join(tmpdir(), 'sllm-stress-'));
    // STRESS_UNDRIVEN_AGENT=1: puppeteer's profile preferences and the remote agent listening,
    // but no WebDriver BiDi session
    const agent = env.STRESS_UNDRIVEN_AGENT === '1';
    if (agent) {
      const { Browser: B, createProfile } = await import('@puppeteer/browsers');
      await createProfile(B.FIREFOX, { path: profile, preferences: {} });
    }
    const child = spawn(env.SLLM_FIREFOX ?? '/usr/bin/firefox-esr',
      ['--headless', '--no-remote', '--profile', profile, ...(agent ? ['--remote-debugging-port=0'] : []), url], { stdio: 'ignore' });
    stop = async () => {
      child.kill();
      rmSync(profile, { recursive: true, force: true });
    };
  }
  try {
    let seen = 0;
    for (;;) {
      const got = server.requests.filter((p) => p.startsWith('/__stress/')).map((p) => JSON.parse(p.slice(10)));
      for (; seen < got.length; seen++) {
        if (got[seen].done) return;
        results.push(got[seen]);
        record(got[seen]);
        if (got[seen].stalled) console.log(`cycle ${got[seen].i}: stalled ${got[seen].stalled}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await stop();
  }
}
