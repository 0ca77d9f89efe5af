// browsers.mjs: the one browser launcher of the package's browser tests (harness.ts) and the
// demo's end-to-end test (web/tests/). `chromium` is Debian's Chromium driven by
// playwright-core; `firefox` is Debian's firefox-esr driven by puppeteer-core over WebDriver
// BiDi; never a downloaded browser. Both run headless with a fresh profile, and their pages are
// wrapped in one small interface (BrowserPage): what the tests do, each the same in both.
// SLLM_BROWSERS=chromium (or firefox) limits the suites to one browser.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BROWSERS = (process.env.SLLM_BROWSERS ?? 'chromium,firefox').split(',').filter(Boolean);
const EXECUTABLES = {
  chromium: process.env.SLLM_CHROMIUM ?? '/usr/bin/chromium',
  firefox: process.env.SLLM_FIREFOX ?? '/usr/bin/firefox-esr',
};
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Launches `name` ('chromium' or 'firefox') with a fresh profile (or `userDataDir`).
 * viewport: the pages' size; downloads: the folder downloads are saved to (created).
 */
export async function launchBrowser(name, { userDataDir, viewport = { width: 1280, height: 900 }, args = [] } = {}) {
  const profile = userDataDir ?? (await mkdtemp(join(tmpdir(), `sllm-${name}-`)));
  const downloads = await mkdtemp(join(tmpdir(), `sllm-${name}-downloads-`));
  let raw, close, newRawPage;
  if (name === 'chromium') {
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: EXECUTABLES.chromium, headless: true, acceptDownloads: true, viewport, args: [...CHROMIUM_ARGS, ...args],
    });
    raw = context;
    newRawPage = () => context.newPage();
    close = () => context.close();
  } else if (name === 'firefox') {
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({
      browser: 'firefox', executablePath: EXECUTABLES.firefox, headless: true, userDataDir: profile,
      defaultViewport: viewport, args,
      extraPrefsFirefox: {
        // downloads go to `downloads` without asking
        'browser.download.folderList': 2, 'browser.download.dir': downloads, 'browser.download.useDownloadDir': true,
        'browser.download.always_ask_before_handling_new_types': false,
        'browser.helperApps.neverAsk.saveToDisk': 'application/octet-stream',
      },
    });
    raw = browser;
    newRawPage = () => browser.newPage();
    close = () => browser.close();
  } else {
    throw new Error(`unknown browser "${name}": use chromium or firefox`);
  }
  const pages = [];
  return {
    name,
    userDataDir: profile,
    /** The underlying playwright BrowserContext (chromium) or puppeteer Browser (firefox). */
    raw,
    async newPage() {
      const page = new BrowserPage(name, await newRawPage(), downloads);
      pages.push(page);
      return page;
    },
    async close({ keepProfile = false } = {}) {
      await close().catch(() => {});
      await rm(downloads, { recursive: true, force: true });
      if (!keepProfile) await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A page of either browser, with the operations the tests use. `raw` is the library's own page. */
export class BrowserPage {
  constructor(browser, raw, downloads) {
    this.browser = browser;
    this.raw = raw;
    this.pw = browser === 'chromium';
    this.downloads = downloads;
  }

  // ---- events, normalized: console(type, text) with type 'error' | 'warning' | ...; pageerror(message, stack);
  // request(url); requestfailed(url, why); response(status, url); worker(url) returning a promise-less close hook.
  onConsole(f) {
    this.raw.on('console', (m) => f(m.type() === 'warn' ? 'warning' : m.type(), m.text()));
  }
  onPageError(f) {
    this.raw.on('pageerror', (e) => f(e.message ?? String(e), e.stack ?? e.message ?? String(e)));
  }
  onRequest(f) {
    this.raw.on('request', (r) => f(r.url()));
  }
  onRequestFailed(f) {
    this.raw.on('requestfailed', (r) => f(r.url(), r.failure()?.errorText ?? ''));
  }
  onResponse(f) {
    this.raw.on('response', (r) => f(r.status(), r.url()));
  }
  /** f(url, onClose) for each Web Worker the page (or one of its workers) starts. */
  onWorker(f) {
    if (this.pw) {
      this.raw.on('worker', (w) => f(w.url(), (cb) => w.on('close', cb)));
    } else {
      const closers = new Map();
      this.raw.on('workercreated', (w) => f(w.url(), (cb) => closers.set(w, cb)));
      this.raw.on('workerdestroyed', (w) => closers.get(w)?.());
    }
  }

  // ---- navigation and script
  goto(url) {
    return this.raw.goto(url);
  }
  reload() {
    return this.raw.reload();
  }
  evaluate(fn, arg) {
    return this.raw.evaluate(fn, arg);
  }
  /** Waits until fn(arg) is truthy in the page (polling every `polling` ms). */
  waitFor(fn, arg, { timeout = 30_000, polling = 100 } = {}) {
    return this.pw ? this.raw.waitForFunction(fn, arg, { timeout, polling }) : this.raw.waitForFunction(fn, { timeout, polling }, arg);
  }
  waitForSelector(selector, { timeout = 30_000 } = {}) {
    return this.raw.waitForSelector(selector, { timeout });
  }
  /** Runs fn in every new document before the page's scripts. */
  initScript(fn) {
    return this.pw ? this.raw.addInitScript(fn) : this.raw.evaluateOnNewDocument(fn);
  }
  exposeFunction(name, fn) {
    return this.raw.exposeFunction(name, fn);
  }
  addScriptTag(options) {
    return this.raw.addScriptTag(options);
  }
  wait(ms) {
    return sleep(ms);
  }

  // ---- the page's controls
  /** Clicks an element (waiting, as playwright does, until it is visible). */
  async click(selector, { timeout = 20_000 } = {}) {
    if (this.pw) return this.raw.click(selector, { timeout });
    await this.raw.waitForSelector(selector, { visible: true, timeout });
    await this.raw.click(selector);
  }
  async check(selector) {
    if (this.pw) return this.raw.check(selector);
    if (!(await this.raw.$eval(selector, (e) => e.checked))) await this.raw.click(selector);
  }
  select(selector, value) {
    return this.pw ? this.raw.selectOption(selector, value) : this.raw.select(selector, value);
  }
  /** Replaces the value of an input, as typing would (input and change events). */
  async fill(selector, value) {
    if (this.pw) return this.raw.fill(selector, value);
    await this.raw.$eval(selector, (e, v) => {
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }
  text(selector) {
    return this.raw.$eval(selector, (e) => e.textContent);
  }
  value(selector) {
    return this.raw.$eval(selector, (e) => e.value);
  }
  attr(selector, name) {
    return this.raw.$eval(selector, (e, n) => e.getAttribute(n), name);
  }
  visible(selector) {
    return this.raw.$eval(selector, (e) => !e.hidden && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').catch(() => false);
  }
  $$eval(selector, fn) {
    return this.raw.$$eval(selector, fn);
  }
  boundingBox(selector) {
    return this.raw.$eval(selector, (e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
    });
  }
  scrollIntoView(selector) {
    return this.raw.$eval(selector, (e) => e.scrollIntoView({ block: 'center' }));
  }
  /** Sets a file input to one file or several: each a path or { name, mimeType, buffer }. */
  async setFiles(selector, files) {
    if (this.pw) return this.raw.setInputFiles(selector, files);
    const paths = [];
    for (const file of Array.isArray(files) ? files : [files]) {
      if (typeof file === 'string') {
        paths.push(file);
        continue;
      }
      const path = join(await mkdtemp(join(tmpdir(), 'sllm-upload-')), file.name);
      await writeFile(path, file.buffer);
      paths.push(path);
    }
    const input = await this.raw.$(selector);
    await input.uploadFile(...paths);
    await input.evaluate((e) => e.dispatchEvent(new Event('change', { bubbles: true })));
  }
  /** Clicks `selector`, which starts `count` downloads; returns their file names (sorted). */
  async downloadAll(selector, count, { timeout = 20_000 } = {}) {
    const deadline = Date.now() + timeout;
    if (this.pw) {
      const names = [];
      const onDownload = (d) => names.push(d.suggestedFilename());
      this.raw.on('download', onDownload);
      try {
        await this.raw.click(selector);
        while (names.length < count && Date.now() < deadline) await sleep(100);
      } finally {
        this.raw.off('download', onDownload);
      }
      return names.sort();
    }
    const before = new Set(await readdir(this.downloads));
    await this.raw.click(selector);
    for (;;) {
      const done = (await readdir(this.downloads)).filter((f) => !before.has(f) && !f.endsWith('.part'));
      if (done.length >= count || Date.now() > deadline) return done.sort();
      await sleep(100);
    }
  }
  /** Clicks `selector`, which starts a download; returns { name, path } of the saved file (in dir). */
  async download(selector, dir, { timeout = 20_000 } = {}) {
    if (this.pw) {
      const [dl] = await Promise.all([this.raw.waitForEvent('download', { timeout }), this.raw.click(selector)]);
      const path = join(dir, dl.suggestedFilename());
      await dl.saveAs(path);
      return { name: dl.suggestedFilename(), path };
    }
    const before = new Set(await readdir(this.downloads));
    await this.raw.click(selector);
    const deadline = Date.now() + timeout;
    for (;;) {
      const done = (await readdir(this.downloads)).filter((f) => !before.has(f) && !f.endsWith('.part'));
      if (done.length === 1 && (await stat(join(this.downloads, done[0]))).size > 0) {
        const path = join(dir, done[0]);
        await writeFile(path, await (await import('node:fs/promises')).readFile(join(this.downloads, done[0])));
        return { name: done[0], path };
      }
      if (Date.now() > deadline) throw new Error(`no download within ${timeout / 1000} s`);
      await sleep(100);
    }
  }

  // ---- the page itself
  setViewport(width, height) {
    return this.pw ? this.raw.setViewportSize({ width, height }) : this.raw.setViewport({ width, height });
  }
  /** options: path, fullPage, clip (in page coordinates). */
  screenshot(options) {
    if (!this.pw && options.clip) {
      const { fullPage, ...rest } = options;  // puppeteer: clip alone already reaches beyond the viewport
      return this.raw.screenshot(rest);
    }
    return this.raw.screenshot(options);
  }
  isClosed() {
    return this.raw.isClosed();
  }
  close() {
    return this.raw.close();
  }
}
