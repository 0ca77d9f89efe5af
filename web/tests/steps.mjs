// steps.mjs: the end-to-end test's vocabulary: console and main-thread probes installed in the
// page, and the actions a person takes on the demo (generate, save, load, download), each
// done through the page's controls and waiting for the page's visible response.
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A 1x1 PNG: a foreign file to open as a model. */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * Collects console errors and warnings and uncaught exceptions (returned array), and installs
 * window.__probe in the page: the longest main-thread task (PerformanceObserver 'longtask')
 * and the longest gap of a 20 ms heartbeat since the last reset(). Await it before the first
 * navigation: registering the init script is a round trip to the browser, and a page loaded
 * before it completes has no window.__probe (the cause of the test's old one-in-four failure).
 */
export async function installProbes(page) {
  const problems = [];
  page.onConsole((type, text) => {
    if (type === 'error' || type === 'warning') problems.push(`${type}: ${text}`);
  });
  page.onPageError((message) => problems.push(`uncaught: ${message}`));
  await page.initScript(() => {
    const p = { longest: 0, longTasks: 0, longestFrame: 0, maxGap: 0, last: performance.now(), tasks: [] };
    // (Firefox has neither entry type: there only the heartbeat measures responsiveness.)
    const types = PerformanceObserver.supportedEntryTypes ?? [];
    if (types.includes('longtask'))
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          p.longTasks++;
          p.longest = Math.max(p.longest, e.duration);
          p.tasks.push(`${Math.round(e.duration)} ms at ${Math.round(e.startTime)}`);
        }
      }).observe({ type: 'longtask' });
    // Long animation frames also count rendering (style, layout, paint) after the tasks.
    if (types.includes('long-animation-frame'))
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) p.longestFrame = Math.max(p.longestFrame, e.duration);
      }).observe({ type: 'long-animation-frame' });
    setInterval(() => {
      const t = performance.now();
      p.maxGap = Math.max(p.maxGap, t - p.last);
      p.last = t;
    }, 20);
    window.__probe = {
      reset() {
        Object.assign(p, { longest: 0, longTasks: 0, longestFrame: 0, maxGap: 0, last: performance.now(), tasks: [] });
      },
      read: () => ({ longest: p.longest, longTasks: p.longTasks, longestFrame: p.longestFrame, maxGap: p.maxGap, tasks: p.tasks.slice(-10), now: Math.round(performance.now()) }),
    };
  });
  return problems;
}

export function makeSteps(page, artifacts, log) {
  const failures = [];
  const s = {
    failures,
    check(ok, what) {
      if (!ok) {
        failures.push(what);
        log(`CHECK FAILED: ${what}`);
      }
    },
    async until(what, fn, timeout, arg) {
      try {
        await page.waitFor(fn, arg, { timeout, polling: 200 });
      } catch {
        throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}`);
      }
    },
    async ready() {
      await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
    },
    async shot(name, fullPage = true) {
      await page.screenshot({ path: `${artifacts}${name}.png`, fullPage });
    },
    /** The README's picture: steps 1 to 3 of the page mid-training (to the chart and sample), at a laptop's width. */
    async readmeShot(path) {
      const box = await page.boundingBox('#train .train-grid');
      await page.screenshot({ path, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height + 16) }, fullPage: true });
      const { size } = await stat(path);
      log(`README screenshot ${path} (${Math.round(size / 1024)} KB)`);
      s.check(size < 300 * 1024, `the README screenshot has ${size} bytes (limit 300 KB)`);
    },
    /** Runs axe-core's WCAG 2 A/AA rules on the page as it is; each violation fails the test. */
    async axe(stage) {
      if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      });
      for (const v of violations) s.check(false, `accessibility, ${stage}: ${v}`);
      log(`axe (${stage}): ${violations.length} violations`);
    },
    step: () => page.evaluate(() => Number(document.querySelector('#train-numbers').dataset.step)),
    async setGen({ prompt, temperature, length }) {
      await page.fill('#prompt', prompt);
      await page.fill('#gen-temperature', temperature);
      await page.fill('#gen-length', length);
    },
    /** Clicks Generate and returns the generated text once the stream ended. */
    async generate() {
      await page.waitForSelector('#gen-start:not([disabled])', { timeout: 20_000 });
      const before = (await page.attr('#gen-output', 'data-done')) ?? '';
      await page.click('#gen-start');
      await s.until('generation to end', (b) => (document.querySelector('#gen-output').dataset.done ?? '') !== b, 30_000, before);
      return page.evaluate(() => document.querySelector('#gen-output').lastChild?.textContent ?? '');
    },
    async save(name, kind) {
      await page.fill('#save-name', name);
      await page.select('#save-kind', kind);
      await page.click('#save-button');
      await s.until(`"${name}" in the saved list`, (n) => !!document.querySelector(`tr[data-name="${n}"]`), 20_000, name);
    },
    savedNames: () => page.$$eval('#saved-list tr', (rows) => rows.map((r) => r.dataset.name).sort()),
    async load(name) {
      await page.click(`tr[data-name="${name}"] button[data-action="load"]`);
      await s.until(`"${name}" loaded`, (n) => document.querySelector('#status-model').textContent.startsWith(`"${n}"`), 20_000, name);
    },
    /** Downloads a saved model (as .sllm, or as .gguf with action 'download-gguf'); returns the file's path in the artifacts. */
    async download(name, action = 'download') {
      return (await page.download(`tr[data-name="${name}"] button[data-action="${action}"]`, artifacts)).path;
    },
  };
  return s;
}
